/**
 * Everyday synonyms of Indonesian shoppers (and the English words they mix in), applied by
 * services/search/analysis.ts to documents when they are indexed and to queries when they are
 * searched, so a change here takes effect with `npm run search:reindex` (a new index, the alias
 * swapped). Each group is one meaning: any member, in a product or a query, stands for all of
 * them. A member may be several words ("rice cooker"); the longest phrase wins.
 */
export const SYNONYM_GROUPS: string[][] = [
  ['hp', 'ponsel', 'handphone', 'smartphone', 'telepon genggam'],
  ['charger', 'pengisi daya', 'cas', 'casan'],
  ['power bank', 'powerbank'],
  ['earbuds', 'earbud', 'earphone', 'headset', 'headphone', 'tws', 'handsfree'],
  ['smartwatch', 'jam tangan', 'jam tangan pintar', 'arloji', 'jam pintar'],
  ['rice cooker', 'magic com', 'magicom', 'penanak nasi', 'magic jar'],
  ['speaker', 'pengeras suara', 'salon'],
  ['mouse', 'tetikus'],
  ['keyboard', 'papan ketik', 'kibor'],
  ['kabel', 'cable'],
  ['nirkabel', 'wireless'],
  ['kaos', 'kaus', 't shirt', 'tshirt', 'tee'],
  ['kemeja', 'shirt', 'hem'],
  ['celana', 'pants', 'trousers'],
  ['jaket', 'jacket'],
  ['hijab', 'jilbab', 'kerudung'],
  ['gamis', 'abaya'],
  ['sepatu', 'shoes', 'sneakers'],
  ['lari', 'running', 'jogging'],
  ['matras', 'mat'],
  ['raket', 'racket'],
  ['kok', 'shuttlecock'],
  ['badminton', 'bulu tangkis', 'bulutangkis'],
  ['tinju', 'boxing'],
  ['botol minum', 'tumbler', 'bottle'],
  ['tas', 'bag'],
  ['kopi', 'coffee'],
  ['arabika', 'arabica'],
  ['teh', 'tea'],
  ['hijau', 'green'],
  ['gula', 'sugar'],
  ['beras', 'rice'],
  ['madu', 'honey'],
  ['keripik', 'kripik', 'chips'],
  ['sambal', 'sambel', 'chili sauce'],
  ['kacang mete', 'mete', 'mede', 'cashew'],
  ['pedas', 'pedes', 'spicy'],
  ['bantal', 'pillow'],
  ['sprei', 'seprai', 'seprei', 'bed sheet'],
  ['lampu', 'lamp'],
  ['panci presto', 'pressure cooker'],
  ['keranjang', 'basket'],
  ['piring', 'plate'],
  ['cobek', 'ulekan', 'mortar'],
  ['sunscreen', 'sunblock', 'tabir surya'],
  ['lip cream', 'lipstik', 'lipstick', 'lip matte'],
  ['parfum', 'perfume', 'minyak wangi', 'wewangian'],
  ['sabun', 'soap'],
  ['rambut', 'hair'],
  ['lulur', 'body scrub', 'scrub'],
  ['buku', 'book'],
  ['kamus', 'dictionary'],
  ['komik', 'comic', 'manga'],
  ['resep', 'recipe'],
  ['puisi', 'poetry', 'sajak'],
  ['mainan', 'toy', 'toys'],
  ['anak', 'kids', 'children'],
  ['boneka', 'doll'],
  ['layang layang', 'layangan', 'kite'],
  ['mobil remote', 'mobil rc', 'rc car'],
  ['puzzle', 'jigsaw'],
  ['congklak', 'congkak', 'dakon'],
  ['gasing', 'gangsing', 'spinning top'],
  ['murah', 'cheap', 'hemat'],
  ['masak', 'cook', 'cooking'],
];

/**
 * Broader words a product answers to without the reverse: a shopper asking for "camilan"
 * (snacks) wants the chips, but one asking for chips does not want every snack.
 */
export const BROADER: Record<string, string[]> = {
  hp: ['power bank', 'kabel', 'earbuds', 'smartwatch'],
  charger: ['power bank', 'kabel'],
  camilan: ['keripik', 'kacang', 'mete'],
  cemilan: ['keripik', 'kacang', 'mete'],
  snack: ['keripik', 'kacang', 'mete'],
};

/** Words each category answers to (the category codes are English). */
export const CATEGORY_WORDS: Record<string, string> = {
  groceries: 'makanan minuman sembako bahan makanan food grocery',
  fashion: 'pakaian baju busana fesyen fashion clothing',
  electronics: 'elektronik gadget electronics',
  home: 'perlengkapan rumah tangga perabot dapur home',
  beauty: 'kecantikan perawatan kosmetik skincare beauty',
  sports: 'olahraga sport sports',
  books: 'buku bacaan books',
  toys: 'mainan permainan anak toys',
};
