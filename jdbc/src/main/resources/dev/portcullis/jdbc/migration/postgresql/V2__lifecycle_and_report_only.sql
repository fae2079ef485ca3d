-- Lifecycle (rotation successor, who changed what and why) and report-only checks.
ALTER TABLE ${prefix}credential ADD COLUMN replaced_by VARCHAR(64);
ALTER TABLE ${prefix}credential ADD COLUMN changed_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE ${prefix}credential ADD COLUMN changed_by VARCHAR(500);
ALTER TABLE ${prefix}credential ADD COLUMN change_reason VARCHAR(500);
ALTER TABLE ${prefix}credential ADD COLUMN report_only VARCHAR(64) DEFAULT '' NOT NULL;
ALTER TABLE ${prefix}account ADD COLUMN report_only VARCHAR(64) DEFAULT '' NOT NULL;
