"""The state database's schema, as an ordered list of migrations.

Migration *n* brings ``PRAGMA user_version`` from *n - 1* to *n*. Never edit a released migration;
append a new one.
"""

MIGRATIONS: list[str] = [
    # 1: the first schema.
    """
    CREATE TABLE records (            -- what each feature last acknowledged of a source record
        feature    TEXT NOT NULL,
        source     TEXT NOT NULL,     -- 'syncro' or 'xero'
        resource   TEXT NOT NULL,     -- e.g. 'customers', 'Payments'
        record_id  TEXT NOT NULL,
        digest     TEXT NOT NULL,     -- digest of the record as listed
        record     TEXT NOT NULL,     -- the record (JSON), the 'previous' of the next change
        updated_at TEXT,              -- the record's own change time, if it has one
        acked_at   REAL NOT NULL,
        PRIMARY KEY (feature, source, resource, record_id)
    );
    CREATE TABLE links (              -- Syncro id <-> Xero id, per kind of entity
        entity         TEXT NOT NULL, -- e.g. 'contact', 'invoice', 'payment'
        syncro_id      TEXT NOT NULL,
        xero_id        TEXT NOT NULL,
        xero_number    TEXT,          -- ContactNumber, InvoiceNumber, Code, ...
        payload_digest TEXT,          -- digest of what was last written
        feature        TEXT NOT NULL,
        synced_at      REAL NOT NULL,
        extra          TEXT,          -- JSON a feature keeps with the link
        PRIMARY KEY (entity, syncro_id)
    );
    CREATE INDEX links_by_xero_id ON links (entity, xero_id);
    CREATE TABLE journal (            -- every Xero write: recorded before it is sent, completed after
        id              INTEGER PRIMARY KEY,
        feature         TEXT NOT NULL,
        entity          TEXT NOT NULL,
        syncro_id       TEXT NOT NULL,
        action          TEXT NOT NULL, -- 'create', 'update', 'void', 'delete', 'allocate', ...
        method          TEXT NOT NULL,
        path            TEXT NOT NULL,
        idempotency_key TEXT NOT NULL,
        payload_digest  TEXT NOT NULL,
        payload         TEXT NOT NULL,
        lookup          TEXT,          -- JSON {resource, where, id_field}: how to find it in Xero
        state           TEXT NOT NULL CHECK (state IN ('sent', 'confirmed', 'rejected', 'lost')),
        xero_id         TEXT,
        response        TEXT,
        created_at      REAL NOT NULL,
        updated_at      REAL NOT NULL
    );
    CREATE INDEX journal_unsettled ON journal (state) WHERE state = 'sent';
    CREATE INDEX journal_by_record ON journal (entity, syncro_id);
    CREATE TABLE parked (             -- records a feature could not sync, with the reason
        feature    TEXT NOT NULL,
        source     TEXT NOT NULL,
        resource   TEXT NOT NULL,
        record_id  TEXT NOT NULL,
        reason     TEXT NOT NULL,
        detail     TEXT,
        attempts   INTEGER NOT NULL,
        first_at   REAL NOT NULL,
        last_at    REAL NOT NULL,
        change     TEXT NOT NULL,     -- the change (JSON), replayed by 'retry'
        PRIMARY KEY (feature, source, resource, record_id)
    );
    CREATE TABLE cursors (
        name       TEXT PRIMARY KEY,
        value      TEXT NOT NULL,
        updated_at REAL NOT NULL
    );
    CREATE TABLE secrets (            -- Xero tokens (the file is 0600)
        name       TEXT PRIMARY KEY,
        value      TEXT NOT NULL,
        updated_at REAL NOT NULL
    );
    CREATE TABLE runs (               -- one row per feature per pass, for 'status'
        id          INTEGER PRIMARY KEY,
        feature     TEXT NOT NULL,
        started_at  REAL NOT NULL,
        finished_at REAL,
        outcome     TEXT,             -- 'ok', 'partial', 'failed'
        counts      TEXT,             -- JSON {created: n, updated: n, ...}
        error       TEXT
    );
    CREATE INDEX runs_by_feature ON runs (feature, id);
    """,
    # 2: a write remembers the link it makes, so crash recovery saves exactly that link.
    """
    ALTER TABLE journal ADD COLUMN link TEXT
    """,
    # 3: every park and release of a record, for `explain` (the parked table holds only the latest).
    """
    CREATE TABLE parked_history (
        id        INTEGER PRIMARY KEY,
        feature   TEXT NOT NULL,
        source    TEXT NOT NULL,
        resource  TEXT NOT NULL,
        record_id TEXT NOT NULL,
        event     TEXT NOT NULL CHECK (event IN ('parked', 'released')),
        reason    TEXT,
        at        REAL NOT NULL
    );
    CREATE INDEX parked_history_by_record ON parked_history (resource, record_id)
    """,
    # 4: the journal of Syncro writes. The intents features kept as links before (xero_contacts'
    # `xero_contact`, xero_payments' `xero_payment` plan, xero_invoices' `invoice_editing`) become its
    # rows, so an upgrade in the middle of one still looks for what it may have made.
    """
    CREATE TABLE syncro_journal (     -- every Syncro write: recorded before it is sent, answered after
        id         INTEGER PRIMARY KEY,
        feature    TEXT NOT NULL,
        entity     TEXT NOT NULL,     -- what the write is for, in the feature's terms: 'xero_contact'
        key        TEXT NOT NULL,     -- which one: a ContactID, a PaymentID, a Syncro invoice id
        step       TEXT NOT NULL,     -- which part of it ('' for a write in one step)
        method     TEXT NOT NULL,     -- 'POST', 'PUT', 'DELETE', or 'EDIT' (an open multi-step edit)
        path       TEXT NOT NULL,
        body       TEXT,
        extra      TEXT,              -- JSON the feature keeps with the write (a plan)
        link       TEXT,              -- the link saved with the answer (JSON), its syncro_id the answer's
        state      TEXT NOT NULL CHECK (state IN ('sent', 'confirmed', 'rejected', 'lost')),
        syncro_id  TEXT,              -- the record Syncro answered with, or that was found
        response   TEXT,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL
    );
    CREATE INDEX syncro_journal_unsettled ON syncro_journal (entity, key) WHERE state = 'sent';
    CREATE INDEX syncro_journal_by_key ON syncro_journal (entity, key, step);
    INSERT INTO syncro_journal (feature, entity, key, step, method, path, body, extra, link, state,
                                created_at, updated_at)
        SELECT feature, 'xero_contact', syncro_id, '', 'POST', '/customers',
               json_object('business_name', json_extract(extra, '$.name'), 'notes', 'Xero contact ' || syncro_id),
               extra, NULL, 'sent', synced_at, synced_at
        FROM links WHERE entity = 'xero_contact';
    INSERT INTO syncro_journal (feature, entity, key, step, method, path, body, extra, state, syncro_id,
                                created_at, updated_at)
        SELECT links.feature, 'xero_payment', links.syncro_id, json_extract(share.value, '$.customer_id'), 'POST',
               '/payments', NULL, json_remove(share.value, '$.syncro_payment'),
               CASE WHEN json_extract(share.value, '$.syncro_payment') IS NULL THEN 'sent' ELSE 'confirmed' END,
               CAST(json_extract(share.value, '$.syncro_payment') AS TEXT), links.synced_at, links.synced_at
        FROM links, json_each(links.extra, '$.shares') AS share WHERE links.entity = 'xero_payment';
    INSERT INTO syncro_journal (feature, entity, key, step, method, path, extra, state, created_at, updated_at)
        SELECT feature, 'invoice_editing', syncro_id, '', 'EDIT', '/invoices/' || syncro_id,
               json_object('target', json_extract(extra, '$.target'), 'number', xero_number), 'sent',
               synced_at, synced_at
        FROM links WHERE entity = 'invoice_editing';
    DELETE FROM links WHERE entity IN ('xero_contact', 'xero_payment', 'invoice_editing')
    """,
]
