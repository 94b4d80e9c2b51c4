"""Pure functions between Hiboutik payloads and typed values: no I/O, no Django.

Readers (``*_from_payload``) take one decoded JSON object, or one webhook form body parsed by
:mod:`hiboutik.php_form`, and return a :mod:`hiboutik.types` value; they accept both the typed
JSON values and their all-string form spellings. Writers (``*_create_payload``) turn a
``New*`` value into the form fields Hiboutik's create routes expect.
"""
