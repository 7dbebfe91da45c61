// The 19 playable Dofus classes; ids are stable (referenced by characters) and never reused.
// `dofusdbId` is the breed id in DofusDB: the same as ours for 1–18; DofusDB's breed 19 is "Commun" (the
// spells every class shares, not a class), so Forgelance is breed 20 there and class 19 here.
export const classRows = [
	{ id: 1, name: "Feca", dofusdbId: 1 },
	{ id: 2, name: "Osamodas", dofusdbId: 2 },
	{ id: 3, name: "Enutrof", dofusdbId: 3 },
	{ id: 4, name: "Sram", dofusdbId: 4 },
	{ id: 5, name: "Xelor", dofusdbId: 5 },
	{ id: 6, name: "Ecaflip", dofusdbId: 6 },
	{ id: 7, name: "Eniripsa", dofusdbId: 7 },
	{ id: 8, name: "Iop", dofusdbId: 8 },
	{ id: 9, name: "Cra", dofusdbId: 9 },
	{ id: 10, name: "Sadida", dofusdbId: 10 },
	{ id: 11, name: "Sacrieur", dofusdbId: 11 },
	{ id: 12, name: "Pandawa", dofusdbId: 12 },
	{ id: 13, name: "Roublard", dofusdbId: 13 },
	{ id: 14, name: "Zobal", dofusdbId: 14 },
	{ id: 15, name: "Steamer", dofusdbId: 15 },
	{ id: 16, name: "Eliotrope", dofusdbId: 16 },
	{ id: 17, name: "Huppermage", dofusdbId: 17 },
	{ id: 18, name: "Ouginak", dofusdbId: 18 },
	{ id: 19, name: "Forgelance", dofusdbId: 20 },
] as const;
