-- The application's own Flyway migration, beside the Portcullis store's (which has its own history table).
CREATE TABLE app_note (id INT PRIMARY KEY, body VARCHAR(100));
