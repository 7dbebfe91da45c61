CREATE TABLE "file_deletions" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "file_deletions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"storage_key" text NOT NULL,
	"deleted_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "files" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"owner_id" integer,
	"guild_id" integer,
	"character_id" integer,
	"variant_of" uuid,
	"purpose" text NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"storage_key" text NOT NULL,
	"content_type" text NOT NULL,
	"size" bigint NOT NULL,
	"sha256" text,
	"original_name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "files_purpose_known" CHECK ("files"."purpose" in ('portrait', 'portrait-thumbnail', 'emblem', 'emblem-thumbnail', 'character-import')),
	CONSTRAINT "files_state_known" CHECK ("files"."state" in ('pending', 'stored')),
	CONSTRAINT "files_size_not_negative" CHECK ("files"."size" >= 0),
	CONSTRAINT "files_sha256_format" CHECK ("files"."sha256" ~ '^[0-9a-f]{64}$'),
	CONSTRAINT "files_stored_has_sha256" CHECK ("files"."state" = 'pending' or "files"."sha256" is not null),
	CONSTRAINT "files_portrait_has_character" CHECK ("files"."purpose" not in ('portrait', 'portrait-thumbnail') or "files"."character_id" is not null),
	CONSTRAINT "files_emblem_has_guild" CHECK ("files"."purpose" not in ('emblem', 'emblem-thumbnail') or "files"."guild_id" is not null)
);
--> statement-breakpoint
CREATE TABLE "upload_attempts" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "upload_attempts_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"user_id" integer NOT NULL,
	"attempted_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "files" ADD CONSTRAINT "files_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "files" ADD CONSTRAINT "files_guild_id_guilds_id_fk" FOREIGN KEY ("guild_id") REFERENCES "public"."guilds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "files" ADD CONSTRAINT "files_character_id_characters_id_fk" FOREIGN KEY ("character_id") REFERENCES "public"."characters"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "files" ADD CONSTRAINT "files_variant_of_files_id_fk" FOREIGN KEY ("variant_of") REFERENCES "public"."files"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "upload_attempts" ADD CONSTRAINT "upload_attempts_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "files_storage_key_unique" ON "files" USING btree ("storage_key");--> statement-breakpoint
CREATE INDEX "files_owner_idx" ON "files" USING btree ("owner_id");--> statement-breakpoint
CREATE INDEX "files_guild_idx" ON "files" USING btree ("guild_id");--> statement-breakpoint
CREATE INDEX "files_character_idx" ON "files" USING btree ("character_id");--> statement-breakpoint
CREATE INDEX "files_variant_of_idx" ON "files" USING btree ("variant_of");--> statement-breakpoint
CREATE INDEX "files_pending_created_idx" ON "files" USING btree ("created_at") WHERE "files"."state" = 'pending';--> statement-breakpoint
CREATE UNIQUE INDEX "files_portrait_per_character_unique" ON "files" USING btree ("character_id") WHERE "files"."purpose" = 'portrait' and "files"."state" = 'stored';--> statement-breakpoint
CREATE UNIQUE INDEX "files_emblem_per_guild_unique" ON "files" USING btree ("guild_id") WHERE "files"."purpose" = 'emblem' and "files"."state" = 'stored';--> statement-breakpoint
CREATE INDEX "upload_attempts_user_at_idx" ON "upload_attempts" USING btree ("user_id","attempted_at");