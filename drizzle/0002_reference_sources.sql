ALTER TABLE "classes" ADD COLUMN "dofusdb_id" integer;--> statement-breakpoint
ALTER TABLE "classes" ADD COLUMN "synced_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "dungeons" ADD COLUMN "dofusdb_id" integer;--> statement-breakpoint
ALTER TABLE "dungeons" ADD COLUMN "synced_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "servers" ADD COLUMN "dofusdb_id" integer;--> statement-breakpoint
ALTER TABLE "servers" ADD COLUMN "synced_at" timestamp with time zone;--> statement-breakpoint
CREATE UNIQUE INDEX "classes_dofusdb_id_unique" ON "classes" USING btree ("dofusdb_id");--> statement-breakpoint
CREATE UNIQUE INDEX "dungeons_dofusdb_id_unique" ON "dungeons" USING btree ("dofusdb_id");--> statement-breakpoint
CREATE UNIQUE INDEX "servers_dofusdb_id_unique" ON "servers" USING btree ("dofusdb_id");