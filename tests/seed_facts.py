"""What the issues say of the two seed articles, shared by the tests that check it."""

# Scraper furniture in the seeds that must not reach a sentence of the store or the brief.
SEED_BOILERPLATE = (
    "Add a comment",
    "Leave a Reply",
    "Your email address will not be published",
    "Required fields are marked",
    "Secret Link",
    "A composite image",
    "By Miami Daily Life / MiamiDaily.Life",
)
