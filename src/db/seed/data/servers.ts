// Game servers; ids are stable (referenced by characters and teams): add new servers with new ids, never renumber.
export const serverRows = [
	{ id: 1, name: "Dakal" },
	{ id: 2, name: "Draconiros" },
	{ id: 3, name: "Hell Mina" },
	{ id: 4, name: "Imagiro" },
	{ id: 5, name: "Kourial" },
	{ id: 6, name: "Mikhal" },
	{ id: 7, name: "Orukam" },
	{ id: 8, name: "Rafal" },
	{ id: 9, name: "Salar" },
	{ id: 10, name: "Tal Kasha" },
	{ id: 11, name: "Tylezia" },
	{ id: 12, name: "Brial" },
	{ id: 13, name: "Ombre" },
] as const;
