using System.Diagnostics;
using RControl.Files.Tests.Contracts;
using RControl.Files.Tests.Support;
using RControl.TestSupport;

namespace RControl.Files.Tests.Ssh;

/// <summary>Cancelling a copy with <see cref="CopyOptions.Checksum"/> mid-way, over a real sshd.</summary>
public sealed class CancelCheckedCopyTests(SshdFixture sshd) : SessionTestBase, IClassFixture<SshdFixture>
{
    /// <summary>Sparse: takes no disk, but hashing it takes sha256sum well over ten seconds.</summary>
    private const long HugeSize = 32L << 30;

    public static TheoryData<string, string> Directions => new() { { "local", "ssh" }, { "ssh", "local" } };

    [Theory]
    [MemberData(nameof(Directions))]
    public async Task A_checked_copy_cancelled_while_both_ends_hash_returns_at_once_and_kills_the_hosts_sha256sum(string from, string to)
    {
        CreateSparse(P("huge.bin"));
        // A complete partial copy: a resumed copy moves no data and goes straight to the checksums of both ends.
        CreateSparse(P(".copy.bin.rcontrol-partial"));
        using var cancel = new CancellationTokenSource();
        var copy = Session(from).CopyFileAsync(P("huge.bin"), Session(to), P("copy.bin"), CopyOptions.Default with { Resume = true, Checksum = true }, cancel.Token);

        await Poll.UntilAsync(() => copy.IsCompleted || Sha256sums().Count > 0, TimeSpan.FromSeconds(60), "sha256sum to start on the SSH host");
        Assert.False(copy.IsCompleted, "the checksums of 32 GiB cannot be done yet");
        var sinceCancel = Stopwatch.StartNew();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => copy);
        Assert.InRange(sinceCancel.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        await Poll.UntilAsync(() => Sha256sums().Count == 0, TimeSpan.FromSeconds(5), "the host's sha256sum to be killed, not left hashing");
        // Nothing under the destination name; the partial copy stays for the next resume (which verifies it again).
        Assert.Equal(new[] { ".copy.bin.rcontrol-partial", "huge.bin" }, WorkEntries());
    }

    [Theory]
    [MemberData(nameof(Directions))]
    public async Task A_checked_copy_cancelled_mid_way_removes_its_temporary_file_and_names_nothing(string from, string to)
    {
        TestTree.WriteLarge(P("big.bin"), 8 * 1024 * 1024);
        using var cancel = new CancellationTokenSource();
        var options = CopyOptions.Default with
        {
            Checksum = true,
            OnProgress = p =>
            {
                if (p.FileBytesCopied >= p.FileSize / 2)
                {
                    cancel.Cancel();
                }
            },
        };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Session(from).CopyFileAsync(P("big.bin"), Session(to), P("copy.bin"), options, cancel.Token));

        Assert.Equal(new[] { "big.bin" }, WorkEntries());
    }

    private readonly Dictionary<string, Session> _sessions = new();

    private Session Session(string name) => _sessions.TryGetValue(name, out var session) ? session : _sessions[name] = Track(name switch
    {
        "local" => Rc.CreateLocalSession("laptop"),
        _ => SshSessions.Create(Rc, "web1", sshd.Server),
    });

    private void CreateSparse(string path)
    {
        using var file = File.Create(path);
        file.SetLength(HugeSize);
    }

    /// <summary>The sha256sum processes reading a file of this test's work dir (all hosts are this machine).</summary>
    private List<string> Sha256sums()
    {
        var found = new List<string>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                var commandLine = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (commandLine.StartsWith("sha256sum ", StringComparison.Ordinal) && commandLine.Contains(Work.Path, StringComparison.Ordinal))
                {
                    found.Add(commandLine);
                }
            }
            catch (IOException)
            {
                // Gone meanwhile, or not a process.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return found;
    }

    private string[] WorkEntries() => Directory.EnumerateFileSystemEntries(Work.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;
}
