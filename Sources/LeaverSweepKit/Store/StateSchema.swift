/// Named, append-only migrations of the state database. Never edit a released one: add the next.
enum StateSchema {
    static var migrator: SQLiteMigrator {
        var migrator = SQLiteMigrator()
        migrator.register("001_initial", initial)
        migrator.register("002_apps", apps)
        return migrator
    }

    /// Snapshot tables come in pairs: `X_staging` fills page by page as Graph answers, and is swapped into `X`
    /// in one transaction when the collection is complete, so a run killed mid-snapshot never leaves half a tenant.
    static let initial = """
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        started_at INTEGER NOT NULL,
        finished_at INTEGER,
        mode TEXT NOT NULL,
        outcome TEXT NOT NULL DEFAULT 'running',
        failure TEXT,
        users_scanned INTEGER NOT NULL DEFAULT 0,
        devices_scanned INTEGER NOT NULL DEFAULT 0,
        disabled_users INTEGER NOT NULL DEFAULT 0,
        findings INTEGER NOT NULL DEFAULT 0,
        applied INTEGER NOT NULL DEFAULT 0,
        failed INTEGER NOT NULL DEFAULT 0,
        flagged INTEGER NOT NULL DEFAULT 0,
        planned INTEGER NOT NULL DEFAULT 0,
        excluded INTEGER NOT NULL DEFAULT 0,
        open_findings INTEGER NOT NULL DEFAULT 0,
        recorded_findings INTEGER NOT NULL DEFAULT 0,
        guard_tripped TEXT,
        report_json TEXT
    );
    CREATE TABLE users (
        id TEXT PRIMARY KEY, upn TEXT NOT NULL, display_name TEXT, account_enabled INTEGER NOT NULL,
        sessions_valid_from INTEGER, on_prem_sync INTEGER
    );
    CREATE TABLE users_staging AS SELECT * FROM users WHERE 0;
    CREATE INDEX users_disabled ON users(id) WHERE account_enabled = 0;
    CREATE TABLE devices (
        id TEXT PRIMARY KEY, device_id TEXT, display_name TEXT, account_enabled INTEGER NOT NULL,
        operating_system TEXT, trust_type TEXT, is_managed INTEGER, on_prem_sync INTEGER
    );
    CREATE TABLE devices_staging AS SELECT * FROM devices WHERE 0;
    CREATE TABLE device_owners (device_id TEXT NOT NULL, user_id TEXT NOT NULL, PRIMARY KEY (device_id, user_id));
    CREATE INDEX device_owners_by_user ON device_owners(user_id);
    CREATE TABLE device_owners_staging AS SELECT * FROM device_owners WHERE 0;
    CREATE TABLE app_role_assignments (
        id TEXT NOT NULL, user_id TEXT NOT NULL, app_role_id TEXT, principal_id TEXT, principal_type TEXT,
        principal_display_name TEXT, resource_id TEXT, resource_display_name TEXT, PRIMARY KEY (user_id, id)
    );
    CREATE TABLE app_role_assignments_staging AS SELECT * FROM app_role_assignments WHERE 0;
    CREATE TABLE oauth2_grants (
        id TEXT NOT NULL, user_id TEXT NOT NULL, client_id TEXT, consent_type TEXT, principal_id TEXT,
        resource_id TEXT, scope TEXT, PRIMARY KEY (user_id, id)
    );
    CREATE TABLE oauth2_grants_staging AS SELECT * FROM oauth2_grants WHERE 0;
    CREATE TABLE user_disabled_since (
        user_id TEXT PRIMARY KEY,
        first_seen_disabled INTEGER NOT NULL,
        first_seen_run INTEGER,
        audit_disabled_at INTEGER,
        audit_enabled_at INTEGER
    );
    CREATE TABLE sync_state (name TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE actions (
        key TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        target_id TEXT NOT NULL,
        finding_key TEXT NOT NULL,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        first_run INTEGER NOT NULL,
        last_run INTEGER NOT NULL,
        http_status INTEGER,
        error_code TEXT,
        error_message TEXT,
        request_id TEXT,
        client_request_id TEXT,
        applied_at INTEGER,
        updated_at INTEGER NOT NULL
    );
    CREATE TABLE action_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id INTEGER NOT NULL,
        action_key TEXT NOT NULL,
        state TEXT NOT NULL,
        at INTEGER NOT NULL,
        http_status INTEGER,
        error_code TEXT,
        error_message TEXT,
        request_id TEXT,
        client_request_id TEXT
    );
    CREATE INDEX action_events_by_run ON action_events(run_id);
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        subject TEXT NOT NULL,
        sender TEXT NOT NULL,
        recipients TEXT NOT NULL,
        message TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        last_attempt_at INTEGER,
        sent_at INTEGER,
        dead_at INTEGER
    );
    CREATE TABLE findings (
        key TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        user_id TEXT NOT NULL,
        upn TEXT,
        object_id TEXT NOT NULL,
        object_name TEXT,
        status TEXT NOT NULL,
        first_seen_run INTEGER NOT NULL,
        last_seen_run INTEGER NOT NULL,
        resolved_run INTEGER
    );
    """
}

extension StateSchema {
    /// App checks (issue 4). Users gain the values SCIM apps are matched on; the users delta link is dropped so the
    /// next run reads every user once and fills them in.
    static let apps = """
    ALTER TABLE users ADD COLUMN mail TEXT;
    ALTER TABLE users ADD COLUMN mail_nickname TEXT;
    ALTER TABLE users_staging ADD COLUMN mail TEXT;
    ALTER TABLE users_staging ADD COLUMN mail_nickname TEXT;
    DELETE FROM sync_state WHERE name = 'users_delta_link';
    CREATE TABLE app_accounts (
        app TEXT NOT NULL, user_id TEXT NOT NULL, account_id TEXT NOT NULL, user_name TEXT,
        active INTEGER NOT NULL, checked_at INTEGER NOT NULL, ambiguity TEXT, PRIMARY KEY (app, user_id, account_id)
    );
    CREATE TABLE provisioned_accounts (
        service_principal_id TEXT NOT NULL, user_id TEXT NOT NULL, app TEXT NOT NULL,
        placed_at INTEGER, removed_at INTEGER, removal_failure TEXT, removal_failed_at INTEGER,
        PRIMARY KEY (service_principal_id, user_id)
    );
    CREATE INDEX provisioned_accounts_by_user ON provisioned_accounts(user_id);
    CREATE TABLE provisioning_apps (service_principal_id TEXT PRIMARY KEY, app TEXT NOT NULL, last_seen INTEGER NOT NULL);
    ALTER TABLE outbox ADD COLUMN audience TEXT;
    ALTER TABLE actions ADD COLUMN details TEXT;
    CREATE TABLE service_principal_names (id TEXT PRIMARY KEY, display_name TEXT, read_at INTEGER NOT NULL);
    CREATE TABLE acknowledgements (
        app TEXT NOT NULL, user_id TEXT NOT NULL, acknowledged_at INTEGER NOT NULL, acknowledged_by TEXT,
        PRIMARY KEY (app, user_id)
    );
    """
}
