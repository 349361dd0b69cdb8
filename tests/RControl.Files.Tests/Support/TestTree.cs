using System.Security.Cryptography;
using System.Text;

namespace RControl.Files.Tests.Support;

/// <summary>Builds the standard test tree on the local disk and snapshots trees for byte-for-byte comparison.</summary>
public static class TestTree
{
    public const UnixFileMode Exec = (UnixFileMode)0b111_101_101;   // 0755
    public const UnixFileMode Plain = (UnixFileMode)0b110_100_100;  // 0644
    public const UnixFileMode Odd = (UnixFileMode)0b110_000_100; // 0604: unusual, yet readable by the SSH test user
    public const UnixFileMode Dir = (UnixFileMode)0b111_101_101;    // 0755
    public const UnixFileMode OpenDir = (UnixFileMode)0b111_111_111; // 0777

    /// <summary>A name with spaces and non-ASCII characters.</summary>
    public const string OddName = "naïve café — 日本 ✓.txt";

    /// <summary>
    /// Creates under <paramref name="root"/> (which must not exist): nested dirs, two empty dirs, an executable,
    /// an odd-mode file, a relative symlink, a dangling symlink, a link to a directory, an odd file name, an empty
    /// file and a 1 MiB binary file.
    /// </summary>
    public static void Create(string root)
    {
        Directory.CreateDirectory(root);
        Directory.CreateDirectory(Path.Combine(root, "a/b/c"));
        Directory.CreateDirectory(Path.Combine(root, "empty"));
        Directory.CreateDirectory(Path.Combine(root, "a/empty too"));
        Write(Path.Combine(root, "a/b/c/deep.txt"), "deep\n", Plain);
        Write(Path.Combine(root, "run.sh"), "#!/bin/sh\necho hi\n", Exec);
        Write(Path.Combine(root, "a/secret"), "s3cret\n", Odd);
        Write(Path.Combine(root, "a/" + OddName), "odd name ✓\n", Plain);
        Write(Path.Combine(root, "empty.txt"), string.Empty, Plain);
        var blob = new byte[1024 * 1024 + 17];
        new Random(42).NextBytes(blob);
        File.WriteAllBytes(Path.Combine(root, "a/b/blob.bin"), blob);
        File.SetUnixFileMode(Path.Combine(root, "a/b/blob.bin"), Plain);
        File.CreateSymbolicLink(Path.Combine(root, "link-to-run"), "run.sh");
        File.CreateSymbolicLink(Path.Combine(root, "a/dangling"), "../does-not-exist");
        Directory.CreateSymbolicLink(Path.Combine(root, "link-to-b"), "a/b");
        foreach (var dir in new[] { root, Path.Combine(root, "a"), Path.Combine(root, "a/b"), Path.Combine(root, "a/b/c"), Path.Combine(root, "empty"), Path.Combine(root, "a/empty too") })
        {
            File.SetUnixFileMode(dir, Dir);
        }
    }

    /// <summary>
    /// Creates under <paramref name="root"/> (which must not exist) <paramref name="folders"/> folders, some nested, of
    /// <paramref name="filesPerFolder"/> small random files each (sizes 0 to 9 KiB, modes 0644 / 0755 / 0604 / 0705),
    /// a relative link in every folder, and an empty folder in every third one.
    /// </summary>
    public static void CreateMany(string root, int folders, int filesPerFolder)
    {
        UnixFileMode[] modes = [Plain, Exec, Odd, (UnixFileMode)0b111_000_101];
        var random = new Random(5);
        Directory.CreateDirectory(root);
        for (var d = 0; d < folders; d++)
        {
            var dir = d % 4 == 3 ? Path.Combine(root, $"d{d - 1:D2}", $"nested{d:D2}") : Path.Combine(root, $"d{d:D2}");
            Directory.CreateDirectory(dir);
            for (var f = 0; f < filesPerFolder; f++)
            {
                var content = new byte[random.Next(0, 9 * 1024)];
                random.NextBytes(content);
                var file = Path.Combine(dir, $"f{f:D3}.bin");
                File.WriteAllBytes(file, content);
                File.SetUnixFileMode(file, modes[(d + f) % modes.Length]);
            }

            File.CreateSymbolicLink(Path.Combine(dir, "link"), "f000.bin");
            if (d % 3 == 0)
            {
                Directory.CreateDirectory(Path.Combine(dir, "empty"));
            }
        }

        foreach (var dir in Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories).Append(root))
        {
            File.SetUnixFileMode(dir, Dir);
        }
    }

    public static void Write(string path, string content, UnixFileMode mode)
    {
        File.WriteAllText(path, content, new UTF8Encoding(false));
        File.SetUnixFileMode(path, mode);
    }

    /// <summary>Writes <paramref name="size"/> pseudo-random bytes in 1 MiB chunks.</summary>
    public static void WriteLarge(string path, long size, int seed = 7)
    {
        var chunk = new byte[1024 * 1024];
        var random = new Random(seed);
        using var stream = File.Create(path);
        for (long left = size; left > 0; left -= chunk.Length)
        {
            random.NextBytes(chunk);
            stream.Write(chunk, 0, (int)Math.Min(left, chunk.Length));
        }
    }

    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(stream));
    }

    /// <summary>
    /// Every entry under <paramref name="root"/> (links not followed) as relative path → "dir mode" /
    /// "file mode sha256" / "link target".
    /// </summary>
    public static SortedDictionary<string, string> Snapshot(string root, bool withModes = true)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        Add(root, string.Empty);
        return result;

        void Add(string dir, string relative)
        {
            foreach (var full in Directory.EnumerateFileSystemEntries(dir))
            {
                var name = Path.GetFileName(full);
                var rel = relative.Length == 0 ? name : relative + "/" + name;
                var info = new FileInfo(full);
                if (info.LinkTarget is { } target)
                {
                    result[rel] = "link " + target;
                }
                else if (Directory.Exists(full))
                {
                    result[rel] = "dir" + (withModes ? " " + Mode(File.GetUnixFileMode(full)) : string.Empty);
                    Add(full, rel);
                }
                else
                {
                    result[rel] = "file" + (withModes ? " " + Mode(File.GetUnixFileMode(full)) : string.Empty) + " " + Sha256(full);
                }
            }
        }
    }

    public static string Mode(UnixFileMode mode) => Convert.ToString((int)mode, 8);

    /// <summary>A new local temp dir that any user may write in (SSH sessions log in as another user when tests run as root).</summary>
    public static TestSupport.TempDir OpenTempDir()
    {
        var dir = new TestSupport.TempDir("rcontrol-files-");
        File.SetUnixFileMode(dir.Path, OpenDir);
        return dir;
    }
}
