using RControl.Files.Tests.Contracts;
using RControl.Files.Tests.Support;

namespace RControl.Files.Tests.Ssh;

/// <summary><see cref="CopyMethod.Tar"/>: a tree streamed as one archive between <c>tar</c>s on both ends, over real sshd.</summary>
public sealed class TarCopyTests(TwoSshdFixture servers) : SessionTestBase, IClassFixture<TwoSshdFixture>
{
    private readonly Dictionary<string, Session> _sessions = [];

    public static TheoryData<string, string> Directions => new() { { "local", "ssh1" }, { "ssh1", "local" }, { "ssh1", "ssh2" } };

    [Theory]
    [MemberData(nameof(Directions))]
    public async Task A_tree_moves_as_one_archive_byte_identical_with_modes_links_and_empty_dirs(string from, string to)
    {
        TestTree.Create(P("src"));
        TestTree.CreateMany(P("src/many"), folders: 4, filesPerFolder: 10);
        var paths = new HashSet<string>();

        await Session(from).CopyDirAsync(P("src"), Session(to), P("dst"), CopyOptions.Default with { Method = CopyMethod.Tar, OnProgress = p => paths.Add(p.Path) });

        Assert.Equal(TestTree.Snapshot(P("src")), TestTree.Snapshot(P("dst")));
        Assert.Equal(new[] { P("src") }, paths); // one archive: progress names the tree, not its files
        Assert.Equal(new[] { "dst", "src" }, WorkEntries());
    }

    [Fact]
    public async Task Auto_picks_tar_for_many_small_files_with_an_ssh_end_and_file_by_file_for_large_files_or_where_options_need_it()
    {
        TestTree.CreateMany(P("src"), folders: 2, filesPerFolder: 3);
        Directory.CreateDirectory(P("large"));
        TestTree.WriteLarge(P("large/one.bin"), 1024 * 1024);
        var tarPaths = new HashSet<string>();
        var filePaths = new HashSet<string>();
        var largePaths = new HashSet<string>();

        await Session("ssh1").CopyDirAsync(P("src"), Session("local"), P("auto"), CopyOptions.Default with { OnProgress = p => tarPaths.Add(p.Path) });
        await Session("local").CopyDirAsync(P("src"), Session("ssh1"), P("checked"), CopyOptions.Default with { Checksum = true, OnProgress = p => filePaths.Add(p.Path) });
        await Session("local").CopyDirAsync(P("large"), Session("ssh1"), P("large-copy"), CopyOptions.Default with { OnProgress = p => largePaths.Add(p.Path) });

        Assert.Equal(new[] { P("src") }, tarPaths);
        Assert.Equal(6, filePaths.Count);
        Assert.Equal(new[] { P("large/one.bin") }, largePaths);
        Assert.Equal(TestTree.Sha256(P("large/one.bin")), TestTree.Sha256(P("large-copy/one.bin")));
        Assert.Equal(TestTree.Snapshot(P("src")), TestTree.Snapshot(P("auto")));
        Assert.Equal(TestTree.Snapshot(P("src")), TestTree.Snapshot(P("checked")));
    }

    [Fact]
    public async Task Tar_refuses_options_it_cannot_honour()
    {
        TestTree.CreateMany(P("src"), folders: 1, filesPerFolder: 1);
        var e = await Assert.ThrowsAsync<ArgumentException>(() =>
            Session("local").CopyDirAsync(P("src"), Session("ssh1"), P("dst"), CopyOptions.Default with { Method = CopyMethod.Tar, Resume = true }));
        Assert.Contains("Resume", e.Message);
        Assert.Equal(new[] { "src" }, WorkEntries());
    }

    [Fact]
    public async Task A_tar_that_cannot_read_the_source_names_the_host_and_leaves_nothing()
    {
        TestTree.Create(P("src"));
        File.SetUnixFileMode(P("src/a/b"), UnixFileMode.None); // the SSH test user cannot read it

        var e = await Assert.ThrowsAsync<FileOperationException>(() =>
            Session("ssh1").CopyDirAsync(P("src"), Session("local"), P("dst"), CopyOptions.Default with { Method = CopyMethod.Tar }));

        File.SetUnixFileMode(P("src/a/b"), TestTree.Dir);
        Assert.Equal("web1", e.SessionName);
        Assert.Equal(FileErrorKind.PermissionDenied, e.Kind);
        Assert.Contains("tar -c", e.Message);
        Assert.Equal(new[] { "src" }, WorkEntries());
    }

    [Theory]
    [MemberData(nameof(Directions))]
    public async Task A_cancelled_tar_copy_ends_both_tars_and_leaves_nothing(string from, string to)
    {
        TestTree.CreateMany(P("src"), folders: 4, filesPerFolder: 10);
        TestTree.WriteLarge(P("src/big.bin"), 32 * 1024 * 1024);
        using var cancel = new CancellationTokenSource();
        var options = CopyOptions.Default with { Method = CopyMethod.Tar, OnProgress = _ => cancel.Cancel() };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Session(from).CopyDirAsync(P("src"), Session(to), P("dst"), options, cancel.Token));

        // Both tars name this test's work dir in their arguments: none may be left, on any host (all are this machine).
        await TestSupport.Poll.UntilAsync(() => ProcessesNaming(Work.Path).Count == 0, TimeSpan.FromSeconds(15), "both tars to end");
        await TestSupport.Poll.UntilAsync(() => WorkEntries().SequenceEqual(new[] { "src" }), TimeSpan.FromSeconds(15), "the partial tree to be removed");
    }

    private static List<string> ProcessesNaming(string marker)
    {
        var found = new List<string>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                var commandLine = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (commandLine.Contains(marker, StringComparison.Ordinal) && commandLine.Contains("tar", StringComparison.Ordinal))
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

    private Session Session(string name) => _sessions.TryGetValue(name, out var session) ? session : _sessions[name] = Track(name switch
    {
        "local" => Rc.CreateLocalSession("laptop"),
        "ssh1" => SshSessions.Create(Rc, "web1", servers.First),
        _ => SshSessions.Create(Rc, "web2", servers.Second),
    });

    private string[] WorkEntries() => Directory.EnumerateFileSystemEntries(Work.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;
}
