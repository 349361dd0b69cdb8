using System.Buffers;
using System.IO.Compression;
using System.Text;
using RControl.Jobs;

namespace RControl.Host.Daemon.Store;

/// <summary>
/// How a chunk's lines are stored (column <c>codec</c>): <see cref="Brotli"/> since schema version 2 — UTF-8 lines, each
/// ended by <c>\n</c>, at Brotli's quality 0 (a third of deflate's CPU here, and smaller); chunks of earlier versions
/// are <see cref="Deflate"/> — lines joined by <c>\n</c>, deflated — and still read back.
/// </summary>
internal static class OutputCodec
{
    public const int Deflate = 0;

    public const int Brotli = 1;

    private const int Quality = 0;

    /// <summary>Brotli's window: 2^18 bytes, a whole chunk.</summary>
    private const int Window = 18;

    public static byte[] Encode(OutputText text)
    {
        var rented = ArrayPool<byte>.Shared.Rent(BrotliEncoder.GetMaxCompressedLength(text.Length));
        try
        {
            if (!BrotliEncoder.TryCompress(text.Span, rented, out var written, Quality, Window))
            {
                throw new InvalidOperationException("brotli: the compressed chunk did not fit its maximum size");
            }

            return rented.AsSpan(0, written).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public static string[] Decode(byte[] data, int lineCount, int codec)
    {
        if (codec == Brotli)
        {
            using var brotli = new BrotliStream(new MemoryStream(data), CompressionMode.Decompress);
            using var text = new MemoryStream();
            brotli.CopyTo(text);
            return OutputText.Decode(text.GetBuffer().AsSpan(0, (int)text.Length), lineCount);
        }

        using var deflate = new DeflateStream(new MemoryStream(data), CompressionMode.Decompress);
        using var reader = new StreamReader(deflate, Encoding.UTF8);
        var joined = reader.ReadToEnd();
        return lineCount <= 1 ? [joined] : joined.Split('\n');
    }

    /// <summary>A chunk as the earlier versions stored it (for tests of reading old stores).</summary>
    public static byte[] EncodeDeflate(IReadOnlyList<string> lines)
    {
        using var buffer = new MemoryStream();
        using (var deflate = new DeflateStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var writer = new StreamWriter(deflate, new UTF8Encoding(false)))
        {
            writer.Write(string.Join('\n', lines));
        }

        return buffer.ToArray();
    }
}
