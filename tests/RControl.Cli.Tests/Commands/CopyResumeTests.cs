using RControl.Cli.Tests.Support;

namespace RControl.Cli.Tests.Commands;

/// <summary><c>rcontrol copy --resume --checksum</c>: the flags reach the copy.</summary>
public sealed class CopyResumeTests
{
    [Fact]
    public async Task Resume_appends_to_the_kept_partial_copy_and_checksum_verifies_the_result()
    {
        using var dir = new Support.TempDir();
        var content = new byte[2 * 1024 * 1024];
        new Random(3).NextBytes(content);
        var source = Path.Combine(dir.Path, "big.bin");
        File.WriteAllBytes(source, content);
        File.SetLastWriteTimeUtc(source, DateTime.UtcNow.AddMinutes(-5));
        File.WriteAllBytes(Path.Combine(dir.Path, ".copy.bin.rcontrol-partial"), content[..(1024 * 1024)]); // what a cut copy kept

        var r = await CliProcess.RunAsync("copy", $"local:{source}", $"local:{dir.Path}/copy.bin", "--resume", "--checksum");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(content, File.ReadAllBytes(Path.Combine(dir.Path, "copy.bin")));
        Assert.Contains("copied 1 file(s), 1.0 MiB", r.Stdout); // only the second half moved
        Assert.False(File.Exists(Path.Combine(dir.Path, ".copy.bin.rcontrol-partial")));
    }
}
