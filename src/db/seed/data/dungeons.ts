// A first set of dungeons (progressions refer to them by id); levels are the recommended ones, to refine as the list grows.
export const dungeonRows = [
	{ id: 1, name: "Crypte de Kardorim", level: 10 },
	{ id: 2, name: "Donjon des Bouftous", level: 20 },
	{ id: 3, name: "Donjon des Larves", level: 30 },
	{ id: 4, name: "Donjon des Scarafeuilles", level: 30 },
	{ id: 5, name: "Donjon des Bworks", level: 40 },
	{ id: 6, name: "Château du Wa Wabbit", level: 50 },
	{ id: 7, name: "Antre du Dragon Cochon", level: 60 },
	{ id: 8, name: "Donjon des Craqueleurs", level: 70 },
] as const;
