"""The URSSAF exchange seen from the use cases: enrolment, payment requests, the poll."""
