from tortoise import migrations
from tortoise.migrations import operations as ops
from models.help import HelpArticleKind, HelpCategory, NewsKind
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0004_messages')]

    initial = False

    operations = [
        ops.CreateModel(
            name='HelpArticle',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('agency', fields.ForeignKeyField('models.Agency', source_field='agency_id', null=True, db_constraint=True, to_field='id', related_name='help_articles', on_delete=OnDelete.CASCADE)),
                ('slug', fields.CharField(max_length=80)),
                ('kind', fields.CharEnumField(description='ARTICLE: ARTICLE\nFAQ: FAQ', enum_type=HelpArticleKind, max_length=10)),
                ('category', fields.CharEnumField(description='GETTING_STARTED: GETTING_STARTED\nVISITS: VISITS\nBILLING: BILLING\nTAX_CREDIT: TAX_CREDIT\nACCOUNT: ACCOUNT\nHOUSEKEEPING_TIPS: HOUSEKEEPING_TIPS\nCONTACT: CONTACT', enum_type=HelpCategory, max_length=20)),
                ('title', fields.CharField(max_length=200)),
                ('body', fields.TextField(unique=False)),
                ('title_search', fields.CharField(max_length=400)),
                ('search_text', fields.TextField(unique=False)),
                ('published_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_by', fields.ForeignKeyField('models.Account', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='help_articles', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'help_article', 'app': 'models', 'unique_together': (('agency', 'slug'),), 'indexes': [Index(fields=['agency_id', 'category'])], 'pk_attr': 'id', 'table_description': 'An article or FAQ entry in Markdown. No agency means shared by every agency.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='NewsItem',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('agency', fields.ForeignKeyField('models.Agency', source_field='agency_id', db_constraint=True, to_field='id', related_name='news_items', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='SERVICE_CHANGE: SERVICE_CHANGE\nOFFER: OFFER\nAGENCY_OPENING: AGENCY_OPENING\nOTHER: OTHER', enum_type=NewsKind, max_length=20)),
                ('title', fields.CharField(max_length=200)),
                ('body', fields.TextField(unique=False)),
                ('published_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'news_item', 'app': 'models', 'indexes': [Index(fields=['agency_id', 'published_at'])], 'pk_attr': 'id', 'table_description': 'Service changes, offers, agency openings. Shown from published_at until expires_at.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Webinar',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('agency', fields.ForeignKeyField('models.Agency', source_field='agency_id', db_constraint=True, to_field='id', related_name='webinars', on_delete=OnDelete.CASCADE)),
                ('title', fields.CharField(max_length=200)),
                ('description', fields.TextField(unique=False)),
                ('starts_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('duration_minutes', fields.SmallIntField()),
                ('ends_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('link', fields.CharField(max_length=500)),
                ('capacity', fields.IntField()),
                ('published_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'webinar', 'app': 'models', 'indexes': [Index(fields=['agency_id', 'starts_at'])], 'pk_attr': 'id', 'table_description': 'An online session of an agency that its clients register for, up to capacity.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WebinarRegistration',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('webinar', fields.ForeignKeyField('models.Webinar', source_field='webinar_id', db_constraint=True, to_field='id', related_name='registrations', on_delete=OnDelete.CASCADE)),
                ('client', fields.ForeignKeyField('models.Client', source_field='client_id', db_constraint=True, to_field='id', related_name='webinar_registrations', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'webinar_registration', 'app': 'models', 'unique_together': (('webinar', 'client'),), 'pk_attr': 'id', 'table_description': "A client's seat at a webinar. Cancelling deletes the row and frees the seat."},
            bases=['Model'],
        ),
    ]
