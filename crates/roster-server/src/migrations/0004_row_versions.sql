-- A version of the set of rows of a table, bumped by every insert, delete or
-- renumbering of one of its rows, in the same transaction. A list reads it
-- with the row numbers of the whole table, so that those can be kept between
-- pages and trusted for exactly as long as the version stays the same
-- (list::RowCache): a page without a filter is then a slice of them, not a
-- count of the table and a walk past every earlier row. It can run again
-- over itself, as a test re-running an earlier migration does.
CREATE TABLE IF NOT EXISTS row_versions (
    name TEXT PRIMARY KEY,
    version INTEGER NOT NULL
);
INSERT OR IGNORE INTO row_versions (name, version) VALUES ('users', 0);
CREATE TRIGGER IF NOT EXISTS users_row_inserted AFTER INSERT ON users
BEGIN
    UPDATE row_versions SET version = version + 1 WHERE name = 'users';
END;
CREATE TRIGGER IF NOT EXISTS users_row_deleted AFTER DELETE ON users
BEGIN
    UPDATE row_versions SET version = version + 1 WHERE name = 'users';
END;
CREATE TRIGGER IF NOT EXISTS users_row_renumbered AFTER UPDATE OF seq ON users
BEGIN
    UPDATE row_versions SET version = version + 1 WHERE name = 'users';
END;
