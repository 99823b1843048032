-- Who belongs to which department, beside the users' documents (which stay
-- the truth the API serves), so that counting a department's members and
-- finding them to rename or remove it reads an index, not every document.
-- Names compare as the departments table does (NOCASE): a user who wrote
-- "sales" belongs to "Sales".
CREATE TABLE user_departments (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    department TEXT NOT NULL COLLATE NOCASE,
    PRIMARY KEY (user_id, department)
);
CREATE INDEX user_departments_department ON user_departments (department);

-- The memberships of the users already stored.
INSERT OR IGNORE INTO user_departments (user_id, department)
SELECT u.id, j.value
FROM users u
JOIN user_docs d ON d.seq = u.seq,
     json_each(d.data, '$."urn:roster:params:scim:schemas:extension:roster:2.0:User".departments') j
WHERE j.type = 'text';
INSERT OR IGNORE INTO departments (name) SELECT department FROM user_departments;
