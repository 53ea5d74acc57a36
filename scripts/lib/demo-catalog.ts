/**
 * The demo catalog `npm run seed` loads: 66 Indonesian product lines in eight categories, four
 * variants each (264 products), generated deterministically (same SKUs, prices and stock every
 * run) so seeding is idempotent.
 */
import { createHash } from 'node:crypto';
import type { NewProduct } from '../../services/catalog/products';

interface Category {
  /** Shipping weight of the first variant, in grams. */
  weight: number;
  /** Each variant's label and its price factor against the first variant, in SKU order. */
  variants: Record<string, number>;
  /** One product line a row, in SKU order: `name | base price in IDR | blurb`. */
  lines: string;
}

/** Keyed by category code; a SKU is the code's first three letters, the line's and the variant's number. */
const CATALOG: Record<string, Category> = {
  groceries: {
    weight: 300,
    variants: { '250 g': 1, '500 g': 1.8, '1 kg': 3.3, 'Paket Hemat 3 x 250 g': 2.7 },
    lines: `
      Kopi Arabika Gayo          | 85000 | Biji kopi Aceh Gayo, sangrai medium, aroma cokelat dan rempah.
      Kopi Robusta Lampung       | 45000 | Robusta Lampung giling halus, pahit mantap untuk kopi tubruk.
      Teh Melati Tegal           | 18000 | Teh hijau wangi melati khas Tegal, cocok diseduh panas atau es.
      Gula Aren Organik          | 32000 | Gula aren cetak dari nira pilihan, tanpa pemutih.
      Beras Pandan Wangi Cianjur | 21000 | Beras pulen beraroma pandan dari sawah Cianjur.
      Madu Hutan Sumbawa         | 95000 | Madu liar dari hutan Sumbawa, tanpa campuran.
      Keripik Singkong Balado    | 15000 | Keripik singkong renyah dengan bumbu balado Padang.
      Rendang Daging Kemasan     | 78000 | Rendang sapi masak 8 jam, siap santap, tahan 6 bulan.
      Sambal Bawang Pedas        | 28000 | Sambal bawang goreng dengan cabai rawit pilihan.
      Kacang Mete Panggang       | 65000 | Mete Wonogiri panggang tanpa minyak, gurih alami.
    `,
  },
  fashion: {
    weight: 400,
    variants: { S: 1, M: 1, L: 1.05, XL: 1.1 },
    lines: `
      Kemeja Batik Parang Lengan Panjang | 275000 | Batik cap motif parang, katun primisima, adem dipakai.
      Kemeja Batik Mega Mendung          | 245000 | Motif mega mendung Cirebon, warna biru klasik.
      Kaos Katun Combed 30s              |  79000 | Kaos polos katun combed 30s, jahitan rantai.
      Celana Chino Slim Fit              | 189000 | Chino stretch, potongan slim, nyaman untuk kerja.
      Gamis Katun Rayon                  | 165000 | Gamis rayon lembut dengan kancing depan, ramah menyusui.
      Hijab Segi Empat Voal              |  59000 | Voal premium tegak di dahi, tidak menerawang.
      Jaket Denim Washed                 | 299000 | Denim 14 oz dengan efek washed, unisex.
      Sarung Tenun Samarinda             | 350000 | Sarung tenun tangan khas Samarinda, motif kotak.
    `,
  },
  electronics: {
    weight: 350,
    variants: { Hitam: 1, Putih: 1, Biru: 1.02, 'Bundling Garansi 2 Tahun': 1.15 },
    lines: `
      Earbuds TWS Bluetooth 5.3     | 249000 | Latensi rendah untuk gim, baterai 24 jam dengan case.
      Power Bank 20000 mAh PD 22.5W | 299000 | Isi ulang cepat USB-C PD, dua port keluaran.
      Kabel USB-C ke USB-C 1 m      |  49000 | Kabel nilon 60W, tahan tekuk 10.000 kali.
      Smartwatch Layar AMOLED       | 899000 | Pantau detak jantung, SpO2 dan tidur; tahan air 5 ATM.
      Speaker Bluetooth Portabel    | 399000 | Suara 360 derajat, tahan percikan IPX6.
      Mouse Nirkabel Senyap         | 129000 | Klik senyap, DPI 800–1600, baterai AA setahun.
      Keyboard Mekanikal 75%        | 649000 | Switch hot-swap, RGB, koneksi kabel dan nirkabel.
      Rice Cooker Digital 1.8 L     | 549000 | Delapan menu masak, panci anti lengket.
    `,
  },
  home: {
    weight: 1500,
    variants: { 'Ukuran Kecil': 1, 'Ukuran Sedang': 1.4, 'Ukuran Besar': 1.9, 'Set Isi 2': 1.8 },
    lines: `
      Tikar Pandan Anyaman      | 120000 | Anyaman pandan alami buatan pengrajin Tasikmalaya.
      Bantal Kapuk Randu        |  85000 | Isi kapuk randu asli, sarung katun.
      Cobek Batu Merapi         |  95000 | Cobek dan ulekan batu andesit Merapi.
      Keranjang Rotan Serbaguna | 110000 | Rotan Cirebon, kuat untuk pakaian atau mainan.
      Panci Presto Stainless    | 385000 | Masak daging empuk dalam 30 menit, katup ganda.
      Lampu Gantung Bambu       | 175000 | Kap lampu anyaman bambu, cahaya hangat.
      Sprei Katun Motif Batik   | 225000 | Sprei katun 100% dengan motif batik kawung.
      Rak Piring Aluminium      | 145000 | Dua tingkat dengan nampan air, anti karat.
    `,
  },
  beauty: {
    weight: 150,
    variants: { '30 ml': 1, '60 ml': 1.7, '100 ml': 2.5, 'Travel Kit': 0.8 },
    lines: `
      Serum Niacinamide 10%         |  89000 | Mencerahkan dan meratakan warna kulit, BPOM.
      Sunscreen SPF 50 PA++++       |  75000 | Ringan, tanpa whitecast, cocok untuk iklim tropis.
      Minyak Kemiri Penumbuh Rambut |  35000 | Kemiri asli dengan lidah buaya.
      Lulur Mandi Rempah Jawa       |  45000 | Lulur tradisional kunyit dan beras.
      Sabun Sereh Wangi Alami       |  25000 | Sabun cold process dengan minyak sereh.
      Parfum Melati Bali            | 150000 | Eau de parfum dengan aroma melati dan cendana.
      Toner Teh Hijau               |  69000 | Menyegarkan dan mengontrol minyak berlebih.
      Lip Cream Matte Tahan Lama    |  55000 | Warna pekat, tidak lengket, tahan 12 jam.
    `,
  },
  sports: {
    weight: 700,
    variants: { Standar: 1, Pro: 1.6, Junior: 0.75, 'Paket Latihan': 1.9 },
    lines: `
      Raket Badminton Carbon   | 450000 | Rangka full carbon, berat 4U, senar 26 lbs.
      Kok Bulu Angsa Isi 12    |  95000 | Kok turnamen dengan laju stabil.
      Matras Yoga TPE 6 mm     | 189000 | Anti selip dua sisi, ringan dibawa.
      Sepatu Lari Ringan       | 525000 | Busa responsif, upper mesh bernapas.
      Bola Futsal Jahit Tangan | 215000 | Ukuran 4, pantulan rendah sesuai standar.
      Botol Minum Olahraga 1 L |  69000 | BPA free dengan penanda waktu minum.
      Sarung Tinju Latihan     | 275000 | Kulit sintetis, busa berlapis.
      Tas Gym Waterproof       | 199000 | Kompartemen sepatu terpisah.
    `,
  },
  books: {
    weight: 450,
    variants: { 'Soft Cover': 1, 'Hard Cover': 1.6, 'Edisi Tanda Tangan': 2.2, 'Paket Bundel': 2.6 },
    lines: `
      Novel Sejarah Nusantara           |  98000 | Kisah kerajaan maritim di abad ke-14.
      Buku Resep Masakan Padang         | 125000 | 120 resep dari rendang hingga gulai tunjang.
      Kamus Besar Bahasa Indonesia Saku |  75000 | Lebih dari 40.000 lema terbaru.
      Komik Wayang Mahabharata          |  65000 | Kisah Pandawa dalam gaya komik klasik.
      Panduan UMKM Digital              |  89000 | Langkah praktis berjualan daring untuk usaha kecil.
      Buku Mewarnai Flora Indonesia     |  45000 | 40 gambar bunga dan tumbuhan asli Indonesia.
      Antologi Puisi Modern             |  70000 | Kumpulan puisi penyair muda Indonesia.
      Atlas Indonesia Lengkap           | 115000 | Peta 38 provinsi dengan data terbaru.
    `,
  },
  toys: {
    weight: 600,
    variants: { 'Warna Merah': 1, 'Warna Kuning': 1, 'Set Besar': 1.7, 'Edisi Kado': 1.3 },
    lines: `
      Congklak Kayu Jati           | 135000 | Permainan tradisional dengan biji kerang asli.
      Gasing Kayu Tradisional      |  25000 | Gasing kayu bubut dengan tali.
      Puzzle Peta Indonesia        |  85000 | 38 keping provinsi, kayu aman untuk anak.
      Boneka Wayang Golek Mini     |  95000 | Wayang golek hias karya pengrajin Bogor.
      Balok Susun Edukasi          | 120000 | 100 balok warna-warni cat non-toksik.
      Layang-Layang Naga           |  55000 | Kain parasut dengan ekor panjang 3 m.
      Mobil Remote Control Offroad | 325000 | Skala 1:18, baterai isi ulang.
      Kereta Api Kayu Set          | 210000 | Rel kayu 24 keping dengan lokomotif.
    `,
  },
};

/** The rows of a `lines` table, checked: a malformed row would otherwise seed a NaN price. */
function rows(table: string) {
  return table
    .trim()
    .split('\n')
    .map((row) => {
      const [name, price, blurb] = row.split('|').map((cell) => cell.trim());
      if (!name || !blurb || !/^\d+$/.test(price ?? '')) throw new Error(`demo catalog: malformed row "${row.trim()}"`);
      return { name, price: Number(price), blurb };
    });
}

/** A stable pseudo-random number in [0, 1) from a string, so every run seeds the same stock. */
const stable = (s: string) => createHash('sha256').update(s).digest().readUInt32BE(0) / 2 ** 32;

/** Rounds to the nearest 500 rupiah, the way shops price. */
const rupiah = (n: number) => (Math.round(n / 500) * 500).toFixed(2);

/** Every demo product, in SKU order. */
export function demoCatalog(): NewProduct[] {
  return Object.entries(CATALOG).flatMap(([code, cat]) =>
    rows(cat.lines).flatMap((line, li) =>
      Object.entries(cat.variants).map(([label, factor], vi) => {
        const sku = `${code.slice(0, 3).toUpperCase()}-${String(li + 1).padStart(2, '0')}-${vi + 1}`;
        const r = stable(sku);
        return {
          sku,
          name: `${line.name} ${label}`,
          description: line.blurb,
          price: rupiah(line.price * factor),
          category: code,
          weight_grams: Math.round(cat.weight * Math.max(factor, 0.5)),
          // About one in ten is sold out, so the in-stock filter has something to do.
          quantity: r < 0.1 ? 0 : Math.floor(r * 200),
        };
      }),
    ),
  );
}
