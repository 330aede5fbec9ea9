"""GraphQL documents shared by the personal data tests."""

REQUEST = """
mutation R($input: RequestAccountDeletionInput!) {
  requestAccountDeletion(input: $input) { deletion { status } userErrors { code } }
}
"""
CONFIRM = """
mutation C($input: ConfirmAccountDeletionInput!) {
  confirmAccountDeletion(input: $input) { deletion { status effectiveAt } userErrors { code } }
}
"""
UPDATE = """
mutation U($input: UpdateProfileInput!) {
  updateProfile(input: $input) { account { firstName phone } userErrors { field code } }
}
"""
