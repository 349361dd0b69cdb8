using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace RControl.Bench.CopyMemory;

/// <summary>The benchmark's files: random content, content hashes, and page-cache eviction.</summary>
internal static partial class TestData
{
    private const int PosixFadviseDontNeed = 4;

    /// <summary>Writes <paramref name="size"/> random bytes (incompressible, unique per MiB).</summary>
    public static void WriteRandom(string path, long size)
    {
        var chunk = new byte[1024 * 1024];
        var random = new Random(1);
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
        for (long left = size; left > 0; left -= chunk.Length)
        {
            random.NextBytes(chunk);
            stream.Write(chunk, 0, (int)Math.Min(left, chunk.Length));
        }
    }

    /// <summary><paramref name="folders"/> folders of <paramref name="filesPerFolder"/> random files each.</summary>
    public static void WriteTree(string root, int folders, int filesPerFolder, int fileSize)
    {
        var random = new Random(2);
        var content = new byte[fileSize];
        for (var d = 0; d < folders; d++)
        {
            var dir = Path.Combine(root, $"dir{d:D2}");
            Directory.CreateDirectory(dir);
            for (var f = 0; f < filesPerFolder; f++)
            {
                random.NextBytes(content);
                File.WriteAllBytes(Path.Combine(dir, $"file{f:D4}.bin"), content);
            }
        }
    }

    public static string Sha256(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1024 * 1024);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>One hash over every relative path, mode and content under <paramref name="root"/>.</summary>
    public static string TreeHash(string root)
    {
        var all = new StringBuilder();
        foreach (var file in Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(root, file);
            var mode = Convert.ToString((int)File.GetUnixFileMode(file), 8);
            all.Append(relative).Append(' ').Append(mode).Append(' ').Append(File.Exists(file) ? Sha256(file) : "dir").Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(all.ToString())));
    }

    /// <summary>Drops a file's (or every file's under a directory) cached pages, so the next copy reads the disk.</summary>
    public static void DropFromPageCache(string path)
    {
        var files = Directory.Exists(path) ? Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories) : [path];
        foreach (var file in files)
        {
            using var handle = File.OpenHandle(file);
            var error = PosixFadvise((int)handle.DangerousGetHandle(), 0, 0, PosixFadviseDontNeed);
            if (error != 0)
            {
                throw new IOException($"posix_fadvise({file}) failed: errno {error}");
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "posix_fadvise")]
    private static partial int PosixFadvise(int fd, long offset, long length, int advice);
}
