"""Starter pages of the playbook, in Indonesian: a skeleton each office fills with its own knowledge."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StarterPage:
    slug: str
    title: str
    body: str
    return_reason_code: str | None = None


# Office content, not interface text: written once in the office's language and then edited by
# the office itself, so it is not run through the translation catalogue.
STARTER_PAGES: tuple[StarterPage, ...] = (
    StarterPage(
        "cara-muskel",
        "Cara kami menjalankan musyawarah kelurahan (muskel)",
        "# Cara kami menjalankan muskel\n\n"
        "1. Cetak daftar calon (BNBA) dari menu Muskel paling lambat 3 hari sebelum rapat.\n"
        "2. Undang Ketua RT/RW, pendamping PKH, TKSK dan tokoh masyarakat (lihat halaman kontak).\n"
        "3. Bacakan setiap usulan; catat keputusan layak / tidak layak beserta alasannya.\n"
        "4. Berita acara ditandatangani Lurah dan peserta, dipindai, lalu dilampirkan pada keputusan.\n"
        "5. Masukkan keputusan di aplikasi pada hari yang sama.\n\n"
        "Catatan kantor kami: (tulis di sini kebiasaan, jadwal dan tempat rapat)\n",
    ),
    StarterPage(
        "kontak-dinsos",
        "Siapa yang dihubungi di Dinas Sosial",
        "# Kontak Dinas Sosial\n\n"
        "- Tim verifikasi DTSEN: nama, nomor telepon/WA, jam kerja\n"
        "- Admin server Usulkan (kiriman gagal, sertifikat): nama, nomor\n"
        "- Bidang perlindungan dan jaminan sosial: nama, nomor\n\n"
        "Sebelum menelepon: siapkan kode pelacakan usulan, bukan NIK, bila memungkinkan.\n",
    ),
    StarterPage(
        "kriteria-kami",
        "Kriteria kelayakan dengan kata-kata kami",
        "# Kriteria dengan kata-kata kami\n\n"
        "- Usulan baru hanya untuk keluarga yang desilnya masuk ketentuan program.\n"
        "- Bila desil tidak sesuai: buat usulan pembaruan, lakukan cek lapangan, lalu muskel.\n"
        "- Sanggahan: penerima yang dilaporkan tidak layak, ditangani seperti pembaruan.\n\n"
        "Contoh kasus dari kantor kami: (tulis contoh yang pernah diputuskan dan alasannya)\n",
    ),
    StarterPage(
        "kontak-rt-rw-pendamping",
        "Ketua RT/RW dan pendamping",
        "# Ketua RT/RW dan pendamping\n\n"
        "| RW | RT | Ketua | Telepon |\n|---|---|---|---|\n| 01 | 001 | ... | ... |\n\n"
        "Pendamping PKH / TKSK: nama, wilayah dampingan, nomor.\n"
        "Perbarui halaman ini setiap ada pergantian pengurus.\n",
    ),
    StarterPage(
        "serah-terima",
        "Serah terima pekerjaan saat operator berganti",
        "# Serah terima\n\n"
        "1. Operator yang pergi membuka menu Serah Terima dan memberi catatan pada setiap pekerjaan.\n"
        "2. Lurah mencabut akses operator tersebut pada hari terakhirnya.\n"
        "3. Operator baru membaca halaman-halaman buku panduan ini dan catatan serah terimanya.\n",
    ),
)
