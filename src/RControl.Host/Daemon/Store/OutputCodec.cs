using System.IO.Compression;
using System.Text;

namespace RControl.Host.Daemon.Store;

/// <summary>How a chunk's lines are stored: UTF-8, one line per <c>\n</c> (lines never hold one), deflated.</summary>
internal static class OutputCodec
{
    public static byte[] Encode(IReadOnlyList<string> lines)
    {
        using var buffer = new MemoryStream();
        using (var deflate = new DeflateStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var writer = new StreamWriter(deflate, new UTF8Encoding(false), 1 << 16))
        {
            for (var i = 0; i < lines.Count; i++)
            {
                if (i > 0)
                {
                    writer.Write('\n');
                }

                writer.Write(lines[i]);
            }
        }

        return buffer.ToArray();
    }

    public static string[] Decode(byte[] data, int lineCount)
    {
        using var deflate = new DeflateStream(new MemoryStream(data), CompressionMode.Decompress);
        using var reader = new StreamReader(deflate, Encoding.UTF8);
        var text = reader.ReadToEnd();
        var lines = lineCount <= 1 ? [text] : text.Split('\n');
        return lines;
    }
}
