-- Custom SQL migration file, put your code below! --
-- Every deleted `files` row logs its object in `file_deletions`, in the deleting transaction: a rolled-back deletion
-- logs nothing, and deletions by cascade (a character, a game account, a guild, a user) are logged like direct ones.
-- The NOTIFY (sent on commit, once per transaction) wakes the process that deletes the objects (src/services/file-deletions.ts).
CREATE FUNCTION "files_log_deletion"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO "file_deletions" ("storage_key") VALUES (OLD."storage_key");
	PERFORM pg_notify('file_deletions', '');
	RETURN OLD;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "files_log_deletion" AFTER DELETE ON "files" FOR EACH ROW EXECUTE FUNCTION "files_log_deletion"();
