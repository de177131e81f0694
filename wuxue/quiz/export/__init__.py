"""Quiz exports: Word, Excel, plain text, GIFT, Aiken, JSON."""
