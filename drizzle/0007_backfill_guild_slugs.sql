-- Custom SQL migration file, put your code below! --
-- Guilds created before slugs existed get the one their name suggests, as src/tenancy/slugs.ts derives it: accents
-- folded, lower case, other runs of characters one dash, 30 characters at most, `guild` after a name too short; then
-- `-2`, `-3`… past a slug already given or a built-in reserved name (RESERVED_SLUGS is the running app's, unknown here).
DO $$
DECLARE
	guild record;
	base text;
	candidate text;
	n integer;
	reserved constant text[] := array['www', 'api', 'app', 'admin', 'docs', 'static', 'assets', 'mail', 'status', 'auth', 'login'];
BEGIN
	FOR guild IN SELECT id, name FROM guilds WHERE slug IS NULL ORDER BY id LOOP
		base := replace(replace(replace(replace(replace(replace(guild.name, 'æ', 'ae'), 'Æ', 'ae'), 'œ', 'oe'), 'Œ', 'oe'), 'ß', 'ss'), 'þ', 'th');
		base := lower(translate(base, 'àáâãäåāăąÀÁÂÃÄÅĀĂĄçćĉċčÇĆĈĊČďđĎĐèéêëēĕėęěÈÉÊËĒĔĖĘĚĝğġģĜĞĠĢĥĤìíîïĩīĭįıÌÍÎÏĨĪĬĮİĵĴķĶĺļľŀłĹĻĽĿŁñńņňÑŃŅŇòóôõöøōŏőÒÓÔÕÖØŌŎŐŕŗřŔŖŘśŝşšŚŜŞŠţťŧŢŤŦùúûüũūŭůűųÙÚÛÜŨŪŬŮŰŲŵŴýÿŷÝŸŶźżžŹŻŽ', 'aaaaaaaaaaaaaaaaaaccccccccccddddeeeeeeeeeeeeeeeeeegggggggghhiiiiiiiiiiiiiiiiiijjkkllllllllllnnnnnnnnoooooooooooooooooorrrrrrssssssssttttttuuuuuuuuuuuuuuuuuuuuwwyyyyyyzzzzzz'));
		base := regexp_replace(base, '[^a-z0-9]+', '-', 'g');
		base := trim(BOTH '-' FROM left(base, 30));
		IF length(base) < 3 THEN
			base := CASE WHEN base = '' THEN 'guild' ELSE base || '-guild' END;
		END IF;
		n := 1;
		LOOP
			candidate := CASE WHEN n = 1 THEN base ELSE trim(BOTH '-' FROM left(base, 30 - length('-' || n))) || '-' || n END;
			EXIT WHEN NOT (candidate = ANY (reserved)) AND NOT EXISTS (SELECT 1 FROM guilds WHERE slug = candidate);
			n := n + 1;
		END LOOP;
		UPDATE guilds SET slug = candidate WHERE id = guild.id;
	END LOOP;
END
$$;
