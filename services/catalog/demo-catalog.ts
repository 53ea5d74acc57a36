/**
 * The demo catalog `npm start` seeds: a few hundred Indonesian products across categories,
 * generated deterministically (same SKUs, prices and stock every run) so seeding is idempotent.
 */
import { createHash } from 'node:crypto';
import type { NewProduct } from './products';

interface Line {
  name: string;
  /** Base price in IDR for the first variant. */
  price: number;
  blurb: string;
}

interface Category {
  code: string;
  /** Shipping weight of the first variant, in grams. */
  weight: number;
  variants: { label: string; factor: number }[];
  lines: Line[];
}

const CATALOG: Category[] = [
  {
    code: 'groceries',
    weight: 300,
    variants: [
      { label: '250 g', factor: 1 },
      { label: '500 g', factor: 1.8 },
      { label: '1 kg', factor: 3.3 },
      { label: 'Paket Hemat 3 x 250 g', factor: 2.7 },
    ],
    lines: [
      {
        name: 'Kopi Arabika Gayo',
        price: 85000,
        blurb: 'Biji kopi Aceh Gayo, sangrai medium, aroma cokelat dan rempah.',
      },
      {
        name: 'Kopi Robusta Lampung',
        price: 45000,
        blurb: 'Robusta Lampung giling halus, pahit mantap untuk kopi tubruk.',
      },
      {
        name: 'Teh Melati Tegal',
        price: 18000,
        blurb: 'Teh hijau wangi melati khas Tegal, cocok diseduh panas atau es.',
      },
      { name: 'Gula Aren Organik', price: 32000, blurb: 'Gula aren cetak dari nira pilihan, tanpa pemutih.' },
      { name: 'Beras Pandan Wangi Cianjur', price: 21000, blurb: 'Beras pulen beraroma pandan dari sawah Cianjur.' },
      { name: 'Madu Hutan Sumbawa', price: 95000, blurb: 'Madu liar dari hutan Sumbawa, tanpa campuran.' },
      { name: 'Keripik Singkong Balado', price: 15000, blurb: 'Keripik singkong renyah dengan bumbu balado Padang.' },
      { name: 'Rendang Daging Kemasan', price: 78000, blurb: 'Rendang sapi masak 8 jam, siap santap, tahan 6 bulan.' },
      { name: 'Sambal Bawang Pedas', price: 28000, blurb: 'Sambal bawang goreng dengan cabai rawit pilihan.' },
      { name: 'Kacang Mete Panggang', price: 65000, blurb: 'Mete Wonogiri panggang tanpa minyak, gurih alami.' },
    ],
  },
  {
    code: 'fashion',
    weight: 400,
    variants: [
      { label: 'S', factor: 1 },
      { label: 'M', factor: 1 },
      { label: 'L', factor: 1.05 },
      { label: 'XL', factor: 1.1 },
    ],
    lines: [
      {
        name: 'Kemeja Batik Parang Lengan Panjang',
        price: 275000,
        blurb: 'Batik cap motif parang, katun primisima, adem dipakai.',
      },
      { name: 'Kemeja Batik Mega Mendung', price: 245000, blurb: 'Motif mega mendung Cirebon, warna biru klasik.' },
      { name: 'Kaos Katun Combed 30s', price: 79000, blurb: 'Kaos polos katun combed 30s, jahitan rantai.' },
      { name: 'Celana Chino Slim Fit', price: 189000, blurb: 'Chino stretch, potongan slim, nyaman untuk kerja.' },
      { name: 'Gamis Katun Rayon', price: 165000, blurb: 'Gamis rayon lembut dengan kancing depan, ramah menyusui.' },
      { name: 'Hijab Segi Empat Voal', price: 59000, blurb: 'Voal premium tegak di dahi, tidak menerawang.' },
      { name: 'Jaket Denim Washed', price: 299000, blurb: 'Denim 14 oz dengan efek washed, unisex.' },
      { name: 'Sarung Tenun Samarinda', price: 350000, blurb: 'Sarung tenun tangan khas Samarinda, motif kotak.' },
    ],
  },
  {
    code: 'electronics',
    weight: 350,
    variants: [
      { label: 'Hitam', factor: 1 },
      { label: 'Putih', factor: 1 },
      { label: 'Biru', factor: 1.02 },
      { label: 'Bundling Garansi 2 Tahun', factor: 1.15 },
    ],
    lines: [
      {
        name: 'Earbuds TWS Bluetooth 5.3',
        price: 249000,
        blurb: 'Latensi rendah untuk gim, baterai 24 jam dengan case.',
      },
      { name: 'Power Bank 20000 mAh PD 22.5W', price: 299000, blurb: 'Isi ulang cepat USB-C PD, dua port keluaran.' },
      { name: 'Kabel USB-C ke USB-C 1 m', price: 49000, blurb: 'Kabel nilon 60W, tahan tekuk 10.000 kali.' },
      {
        name: 'Smartwatch Layar AMOLED',
        price: 899000,
        blurb: 'Pantau detak jantung, SpO2 dan tidur; tahan air 5 ATM.',
      },
      { name: 'Speaker Bluetooth Portabel', price: 399000, blurb: 'Suara 360 derajat, tahan percikan IPX6.' },
      { name: 'Mouse Nirkabel Senyap', price: 129000, blurb: 'Klik senyap, DPI 800–1600, baterai AA setahun.' },
      { name: 'Keyboard Mekanikal 75%', price: 649000, blurb: 'Switch hot-swap, RGB, koneksi kabel dan nirkabel.' },
      { name: 'Rice Cooker Digital 1.8 L', price: 549000, blurb: 'Delapan menu masak, panci anti lengket.' },
    ],
  },
  {
    code: 'home',
    weight: 1500,
    variants: [
      { label: 'Ukuran Kecil', factor: 1 },
      { label: 'Ukuran Sedang', factor: 1.4 },
      { label: 'Ukuran Besar', factor: 1.9 },
      { label: 'Set Isi 2', factor: 1.8 },
    ],
    lines: [
      { name: 'Tikar Pandan Anyaman', price: 120000, blurb: 'Anyaman pandan alami buatan pengrajin Tasikmalaya.' },
      { name: 'Bantal Kapuk Randu', price: 85000, blurb: 'Isi kapuk randu asli, sarung katun.' },
      { name: 'Cobek Batu Merapi', price: 95000, blurb: 'Cobek dan ulekan batu andesit Merapi.' },
      { name: 'Keranjang Rotan Serbaguna', price: 110000, blurb: 'Rotan Cirebon, kuat untuk pakaian atau mainan.' },
      { name: 'Panci Presto Stainless', price: 385000, blurb: 'Masak daging empuk dalam 30 menit, katup ganda.' },
      { name: 'Lampu Gantung Bambu', price: 175000, blurb: 'Kap lampu anyaman bambu, cahaya hangat.' },
      { name: 'Sprei Katun Motif Batik', price: 225000, blurb: 'Sprei katun 100% dengan motif batik kawung.' },
      { name: 'Rak Piring Aluminium', price: 145000, blurb: 'Dua tingkat dengan nampan air, anti karat.' },
    ],
  },
  {
    code: 'beauty',
    weight: 150,
    variants: [
      { label: '30 ml', factor: 1 },
      { label: '60 ml', factor: 1.7 },
      { label: '100 ml', factor: 2.5 },
      { label: 'Travel Kit', factor: 0.8 },
    ],
    lines: [
      { name: 'Serum Niacinamide 10%', price: 89000, blurb: 'Mencerahkan dan meratakan warna kulit, BPOM.' },
      { name: 'Sunscreen SPF 50 PA++++', price: 75000, blurb: 'Ringan, tanpa whitecast, cocok untuk iklim tropis.' },
      { name: 'Minyak Kemiri Penumbuh Rambut', price: 35000, blurb: 'Kemiri asli dengan lidah buaya.' },
      { name: 'Lulur Mandi Rempah Jawa', price: 45000, blurb: 'Lulur tradisional kunyit dan beras.' },
      { name: 'Sabun Sereh Wangi Alami', price: 25000, blurb: 'Sabun cold process dengan minyak sereh.' },
      { name: 'Parfum Melati Bali', price: 150000, blurb: 'Eau de parfum dengan aroma melati dan cendana.' },
      { name: 'Toner Teh Hijau', price: 69000, blurb: 'Menyegarkan dan mengontrol minyak berlebih.' },
      { name: 'Lip Cream Matte Tahan Lama', price: 55000, blurb: 'Warna pekat, tidak lengket, tahan 12 jam.' },
    ],
  },
  {
    code: 'sports',
    weight: 700,
    variants: [
      { label: 'Standar', factor: 1 },
      { label: 'Pro', factor: 1.6 },
      { label: 'Junior', factor: 0.75 },
      { label: 'Paket Latihan', factor: 1.9 },
    ],
    lines: [
      { name: 'Raket Badminton Carbon', price: 450000, blurb: 'Rangka full carbon, berat 4U, senar 26 lbs.' },
      { name: 'Kok Bulu Angsa Isi 12', price: 95000, blurb: 'Kok turnamen dengan laju stabil.' },
      { name: 'Matras Yoga TPE 6 mm', price: 189000, blurb: 'Anti selip dua sisi, ringan dibawa.' },
      { name: 'Sepatu Lari Ringan', price: 525000, blurb: 'Busa responsif, upper mesh bernapas.' },
      { name: 'Bola Futsal Jahit Tangan', price: 215000, blurb: 'Ukuran 4, pantulan rendah sesuai standar.' },
      { name: 'Botol Minum Olahraga 1 L', price: 69000, blurb: 'BPA free dengan penanda waktu minum.' },
      { name: 'Sarung Tinju Latihan', price: 275000, blurb: 'Kulit sintetis, busa berlapis.' },
      { name: 'Tas Gym Waterproof', price: 199000, blurb: 'Kompartemen sepatu terpisah.' },
    ],
  },
  {
    code: 'books',
    weight: 450,
    variants: [
      { label: 'Soft Cover', factor: 1 },
      { label: 'Hard Cover', factor: 1.6 },
      { label: 'Edisi Tanda Tangan', factor: 2.2 },
      { label: 'Paket Bundel', factor: 2.6 },
    ],
    lines: [
      { name: 'Novel Sejarah Nusantara', price: 98000, blurb: 'Kisah kerajaan maritim di abad ke-14.' },
      { name: 'Buku Resep Masakan Padang', price: 125000, blurb: '120 resep dari rendang hingga gulai tunjang.' },
      { name: 'Kamus Besar Bahasa Indonesia Saku', price: 75000, blurb: 'Lebih dari 40.000 lema terbaru.' },
      { name: 'Komik Wayang Mahabharata', price: 65000, blurb: 'Kisah Pandawa dalam gaya komik klasik.' },
      { name: 'Panduan UMKM Digital', price: 89000, blurb: 'Langkah praktis berjualan daring untuk usaha kecil.' },
      { name: 'Buku Mewarnai Flora Indonesia', price: 45000, blurb: '40 gambar bunga dan tumbuhan asli Indonesia.' },
      { name: 'Antologi Puisi Modern', price: 70000, blurb: 'Kumpulan puisi penyair muda Indonesia.' },
      { name: 'Atlas Indonesia Lengkap', price: 115000, blurb: 'Peta 38 provinsi dengan data terbaru.' },
    ],
  },
  {
    code: 'toys',
    weight: 600,
    variants: [
      { label: 'Warna Merah', factor: 1 },
      { label: 'Warna Kuning', factor: 1 },
      { label: 'Set Besar', factor: 1.7 },
      { label: 'Edisi Kado', factor: 1.3 },
    ],
    lines: [
      { name: 'Congklak Kayu Jati', price: 135000, blurb: 'Permainan tradisional dengan biji kerang asli.' },
      { name: 'Gasing Kayu Tradisional', price: 25000, blurb: 'Gasing kayu bubut dengan tali.' },
      { name: 'Puzzle Peta Indonesia', price: 85000, blurb: '38 keping provinsi, kayu aman untuk anak.' },
      { name: 'Boneka Wayang Golek Mini', price: 95000, blurb: 'Wayang golek hias karya pengrajin Bogor.' },
      { name: 'Balok Susun Edukasi', price: 120000, blurb: '100 balok warna-warni cat non-toksik.' },
      { name: 'Layang-Layang Naga', price: 55000, blurb: 'Kain parasut dengan ekor panjang 3 m.' },
      { name: 'Mobil Remote Control Offroad', price: 325000, blurb: 'Skala 1:18, baterai isi ulang.' },
      { name: 'Kereta Api Kayu Set', price: 210000, blurb: 'Rel kayu 24 keping dengan lokomotif.' },
    ],
  },
];

/** A stable pseudo-random number in [0, 1) from a string, so every run seeds the same stock. */
const stable = (s: string) => createHash('sha256').update(s).digest().readUInt32BE(0) / 2 ** 32;

/** Rounds to the nearest 500 rupiah, the way shops price. */
const rupiah = (n: number) => (Math.round(n / 500) * 500).toFixed(2);

export function demoCatalog(): NewProduct[] {
  return CATALOG.flatMap((cat) =>
    cat.lines.flatMap((line, li) =>
      cat.variants.map((variant, vi) => {
        const sku = `${cat.code.slice(0, 3).toUpperCase()}-${String(li + 1).padStart(2, '0')}-${vi + 1}`;
        const r = stable(sku);
        return {
          sku,
          name: `${line.name} ${variant.label}`,
          description: line.blurb,
          price: rupiah(line.price * variant.factor),
          category: cat.code,
          weight_grams: Math.round(cat.weight * Math.max(variant.factor, 0.5)),
          // About one in ten is sold out, so the in-stock filter has something to do.
          quantity: r < 0.1 ? 0 : Math.floor(r * 200),
        };
      }),
    ),
  );
}
