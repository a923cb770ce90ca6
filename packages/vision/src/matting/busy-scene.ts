import sharp from "sharp";

/** Where the subject photo sits in the scene, in scene pixels. */
export const SUBJECT_BOX = { x: 200, y: 150, width: 300, height: 200 } as const;
export const SCENE_WIDTH = 700;
export const SCENE_HEIGHT = 500;
const TILE = 50;

const fixture = (name: string) => new URL(`../../fixtures/${name}`, import.meta.url).pathname;

/**
 * A test scene for background removal from the shipped photographs: the coffee-cup photo cut into
 * 50-px tiles and shuffled (busy texture, edges and colour everywhere, no single object), with the
 * cat photo (its grey frame trimmed) pasted at SUBJECT_BOX. A keyer that looks at the border colour
 * finds no flat background here; a segmentation model must find the cat.
 */
export async function busyScene(): Promise<Buffer> {
  const cup = await sharp(fixture("coffee-cup.jpg")).resize(SCENE_WIDTH, SCENE_HEIGHT, { fit: "fill" }).toBuffer();
  const cols = SCENE_WIDTH / TILE;
  const rows = SCENE_HEIGHT / TILE;
  const count = cols * rows;
  const tiles = [];
  for (let i = 0; i < count; i++) {
    // 37 is coprime with 140 tiles: a fixed permutation that scatters neighbours.
    const from = (i * 37) % count;
    const tile = await sharp(cup)
      .extract({ left: (from % cols) * TILE, top: Math.floor(from / cols) * TILE, width: TILE, height: TILE })
      .toBuffer();
    tiles.push({ input: tile, left: (i % cols) * TILE, top: Math.floor(i / cols) * TILE });
  }
  const cat = await sharp(fixture("chelsea-cat-framed.jpg"))
    .trim({ threshold: 20 })
    .resize(SUBJECT_BOX.width, SUBJECT_BOX.height, { fit: "fill" })
    .toBuffer();
  return sharp({ create: { width: SCENE_WIDTH, height: SCENE_HEIGHT, channels: 3, background: "#000000" } })
    .composite([...tiles, { input: cat, left: SUBJECT_BOX.x, top: SUBJECT_BOX.y }])
    .png()
    .toBuffer();
}
