using RControl.Files.Tests.Support;

namespace RControl.Files.Tests.Contracts;

/// <summary>Copies from one session to another (local or SSH on either side), same assertions for each direction.</summary>
public abstract class CopyContract : SessionTestBase
{
    private Session? _source;
    private Session? _destination;

    protected Session Src => _source ?? throw new InvalidOperationException("not initialised");

    protected Session Dst => _destination ?? throw new InvalidOperationException("not initialised");

    protected abstract Task<Session> CreateSourceAsync();

    protected abstract Task<Session> CreateDestinationAsync();

    /// <summary>Size of the large-file test: big enough for many chunks, small enough for CI.</summary>
    protected virtual long LargeFileSize => 64L * 1024 * 1024;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _source = Track(await CreateSourceAsync());
        _destination = Track(await CreateDestinationAsync());
    }

    /// <summary>Names in the work dir: a failed or finished copy must leave no temporary file behind.</summary>
    protected string[] WorkEntries() => Directory.EnumerateFileSystemEntries(Work.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    [Fact]
    public async Task CopyDir_copies_the_tree_byte_for_byte_with_modes_links_and_empty_dirs()
    {
        TestTree.Create(P("src"));
        await Src.CopyDirAsync(P("src"), Dst, P("dst"));

        var expected = TestTree.Snapshot(P("src"));
        var actual = TestTree.Snapshot(P("dst"));
        Assert.Equal(expected, actual);
        Assert.Equal("file 755 " + TestTree.Sha256(P("src/run.sh")), actual["run.sh"]);
        Assert.Equal("link run.sh", actual["link-to-run"]);
        Assert.Equal("dir 755", actual["empty"]);
        Assert.Contains("a/" + TestTree.OddName, actual.Keys);
        Assert.Equal(new[] { "dst", "src" }, WorkEntries());
    }

    [Fact]
    public async Task CopyDir_into_itself_copies_the_tree_once()
    {
        TestTree.Create(P("src"));
        File.SetUnixFileMode(P("src"), TestTree.OpenDir); // an SSH destination writes as another user
        var before = TestTree.Snapshot(P("src"));

        await Src.CopyDirAsync(P("src"), Dst, P("src/inside"));

        Assert.Equal(before, TestTree.Snapshot(P("src/inside")));
    }

    [Fact]
    public async Task CopyDir_follows_links_when_asked()
    {
        Directory.CreateDirectory(P("src/sub"));
        TestTree.Write(P("src/sub/f"), "content", TestTree.Exec);
        File.CreateSymbolicLink(P("src/link-f"), "sub/f");
        Directory.CreateSymbolicLink(P("src/link-sub"), "sub");

        await Src.CopyDirAsync(P("src"), Dst, P("dst"), CopyOptions.Default with { FollowLinks = true });

        var actual = TestTree.Snapshot(P("dst"));
        Assert.StartsWith("file 755 ", actual["link-f"]);
        Assert.Equal(actual["sub/f"], actual["link-f"]);
        Assert.StartsWith("dir", actual["link-sub"]);
        Assert.Equal(actual["sub/f"], actual["link-sub/f"]);
    }

    [Fact]
    public async Task Following_a_dangling_link_is_an_error_naming_it_and_leaves_nothing()
    {
        TestTree.Create(P("src"));
        var e = await Assert.ThrowsAsync<FileOperationException>(() => Src.CopyDirAsync(P("src"), Dst, P("dst"), CopyOptions.Default with { FollowLinks = true }));
        Assert.Equal(FileErrorKind.NotFound, e.Kind);
        Assert.Equal(Src.Name, e.SessionName);
        Assert.Equal(P("src/a/dangling"), e.Path);
        Assert.Equal(new[] { "src" }, WorkEntries());
    }

    [Fact]
    public async Task Without_preserve_mode_copies_get_the_default_mode()
    {
        TestTree.Write(P("tool"), "#!/bin/sh\n", TestTree.Exec);
        await Src.CopyFileAsync(P("tool"), Dst, P("copy"), CopyOptions.Default with { PreserveMode = false });
        Assert.False(File.GetUnixFileMode(P("copy")).HasFlag(UnixFileMode.UserExecute));
        Assert.Equal("#!/bin/sh\n", await File.ReadAllTextAsync(P("copy")));
    }

    [Fact]
    public async Task CopyFile_streams_content_keeps_mode_and_reports_progress()
    {
        TestTree.WriteLarge(P("big.bin"), LargeFileSize);
        File.SetUnixFileMode(P("big.bin"), TestTree.Exec);
        var progress = new List<CopyProgress>();

        var written = await Src.CopyFileAsync(P("big.bin"), Dst, P("copy.bin"), CopyOptions.Default with { OnProgress = progress.Add });

        Assert.Equal(P("copy.bin"), written);
        Assert.Equal(TestTree.Sha256(P("big.bin")), TestTree.Sha256(P("copy.bin")));
        Assert.Equal(TestTree.Exec, File.GetUnixFileMode(P("copy.bin")));
        Assert.True(progress.Count >= LargeFileSize / CopyOptions.Default.ChunkSize, $"{progress.Count} progress reports");
        Assert.Equal(LargeFileSize, progress[^1].TotalBytesCopied);
        Assert.Equal(LargeFileSize, progress[^1].FileSize);
        Assert.True(progress.Zip(progress.Skip(1)).All(p => p.First.TotalBytesCopied < p.Second.TotalBytesCopied));
        Assert.Equal(new[] { "big.bin", "copy.bin" }, WorkEntries());
    }

    [Fact]
    public async Task CopyFile_of_an_odd_size_in_odd_chunks_matches_byte_for_byte()
    {
        // Sizes that are no multiple of any request or chunk size: every partial request and tail is exercised.
        const long size = (5L * 1024 * 1024) + 4321;
        TestTree.WriteLarge(P("odd.bin"), size, seed: 11);
        TestTree.Write(P("tiny"), "x", TestTree.Plain);
        var options = CopyOptions.Default with { ChunkSize = 100_003 };

        await Src.CopyFileAsync(P("odd.bin"), Dst, P("odd-copy.bin"), options);
        await Src.CopyFileAsync(P("tiny"), Dst, P("tiny-copy"), options);

        Assert.Equal(size, new FileInfo(P("odd-copy.bin")).Length);
        Assert.Equal(TestTree.Sha256(P("odd.bin")), TestTree.Sha256(P("odd-copy.bin")));
        Assert.Equal("x", await File.ReadAllTextAsync(P("tiny-copy")));
    }

    [Fact]
    public async Task CopyDir_copies_many_small_files_links_modes_and_empty_dirs_exactly()
    {
        TestTree.CreateMany(P("src"), folders: 12, filesPerFolder: 25);
        var expected = TestTree.Snapshot(P("src"));

        await Src.CopyDirAsync(P("src"), Dst, P("dst"));

        Assert.Equal(expected, TestTree.Snapshot(P("dst")));
        Assert.Equal(12 * 25, expected.Values.Count(v => v.StartsWith("file ", StringComparison.Ordinal)));
        Assert.Equal(new[] { "dst", "src" }, WorkEntries());
    }

    [Fact]
    public async Task CopyDir_with_one_file_in_flight_copies_the_same_tree()
    {
        TestTree.CreateMany(P("src"), folders: 3, filesPerFolder: 5);
        await Src.CopyDirAsync(P("src"), Dst, P("dst"), CopyOptions.Default with { FilesInFlight = 1 });
        Assert.Equal(TestTree.Snapshot(P("src")), TestTree.Snapshot(P("dst")));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Src.CopyDirAsync(P("src"), Dst, P("dst2"), CopyOptions.Default with { FilesInFlight = 0 }));
    }

    [Fact]
    public async Task A_cancelled_copy_stops_and_leaves_nothing()
    {
        TestTree.WriteLarge(P("big.bin"), 8 * 1024 * 1024);
        using var cancel = new CancellationTokenSource();
        var options = CopyOptions.Default with { OnProgress = p => cancel.Cancel() };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Src.CopyFileAsync(P("big.bin"), Dst, P("copy.bin"), options, cancel.Token));

        Assert.Equal(new[] { "big.bin" }, WorkEntries());
    }

    [Fact]
    public async Task CopyFile_into_a_directory_keeps_the_name_and_overwrites_by_default()
    {
        TestTree.Write(P(TestTree.OddName), "new content", TestTree.Plain);
        Directory.CreateDirectory(P("into"));
        File.SetUnixFileMode(P("into"), TestTree.OpenDir);
        TestTree.Write(P("into/" + TestTree.OddName), "old", TestTree.OpenDir);

        var written = await Src.CopyFileAsync(P(TestTree.OddName), Dst, P("into"));

        Assert.Equal(P("into/" + TestTree.OddName), written);
        Assert.Equal("new content", await File.ReadAllTextAsync(written));
        Assert.Equal(TestTree.Plain, File.GetUnixFileMode(written));
    }

    [Fact]
    public async Task CopyFile_without_overwrite_refuses_an_existing_destination()
    {
        TestTree.Write(P("a"), "A", TestTree.Plain);
        TestTree.Write(P("b"), "B", TestTree.Plain);
        var e = await Assert.ThrowsAsync<FileOperationException>(() => Src.CopyFileAsync(P("a"), Dst, P("b"), CopyOptions.Default with { Overwrite = false }));
        Assert.Equal(FileErrorKind.AlreadyExists, e.Kind);
        Assert.Equal(Dst.Name, e.SessionName);
        Assert.Contains(P("b"), e.Message);
        Assert.Equal("B", await File.ReadAllTextAsync(P("b")));
    }

    [Fact]
    public async Task Missing_source_names_the_source_session_and_path()
    {
        var e = await Assert.ThrowsAsync<FileOperationException>(() => Src.CopyFileAsync(P("nope"), Dst, P("x")));
        Assert.Equal(FileErrorKind.NotFound, e.Kind);
        Assert.Equal(Src.Name, e.SessionName);
        Assert.Contains($"[{Src.Name}]", e.Message);
        Assert.Contains(P("nope"), e.Message);

        var d = await Assert.ThrowsAsync<FileOperationException>(() => Src.CopyDirAsync(P("nope"), Dst, P("x")));
        Assert.Equal(FileErrorKind.NotFound, d.Kind);
        Assert.Empty(WorkEntries());
    }

    [Fact]
    public async Task CopyDir_refuses_an_existing_destination_and_leaves_it_alone()
    {
        TestTree.Create(P("src"));
        Directory.CreateDirectory(P("dst"));
        TestTree.Write(P("dst/mine"), "mine", TestTree.Plain);

        var e = await Assert.ThrowsAsync<FileOperationException>(() => Src.CopyDirAsync(P("src"), Dst, P("dst")));

        Assert.Equal(FileErrorKind.AlreadyExists, e.Kind);
        Assert.Equal(Dst.Name, e.SessionName);
        Assert.Contains(P("dst"), e.Message);
        Assert.Equal(new[] { "mine" }, Directory.EnumerateFileSystemEntries(P("dst")).Select(Path.GetFileName));
        Assert.Equal(new[] { "dst", "src" }, WorkEntries());
    }

    [Fact]
    public async Task Wrong_kinds_and_a_missing_destination_parent_are_errors()
    {
        TestTree.Create(P("src"));
        var dirAsFile = await Assert.ThrowsAsync<FileOperationException>(() => Src.CopyFileAsync(P("src"), Dst, P("x")));
        Assert.Equal(FileErrorKind.IsADirectory, dirAsFile.Kind);

        var fileAsDir = await Assert.ThrowsAsync<FileOperationException>(() => Src.CopyDirAsync(P("src/run.sh"), Dst, P("x")));
        Assert.Equal(FileErrorKind.NotADirectory, fileAsDir.Kind);

        var noParent = await Assert.ThrowsAsync<FileOperationException>(() => Src.CopyDirAsync(P("src"), Dst, P("no/such/dir")));
        Assert.Equal(FileErrorKind.NotFound, noParent.Kind);
        Assert.Equal(Dst.Name, noParent.SessionName);

        var noParentFile = await Assert.ThrowsAsync<FileOperationException>(() => Src.CopyFileAsync(P("src/run.sh"), Dst, P("no/such/file")));
        Assert.Equal(FileErrorKind.NotFound, noParentFile.Kind);
        Assert.Equal(new[] { "src" }, WorkEntries());
    }

    [Fact]
    public async Task Background_copies_are_waited_for_by_wait_for_tasks()
    {
        TestTree.Create(P("src"));
        var dirTask = Src.CopyDir(P("src"), Dst, P("dst"));
        var fileTask = Src.CopyFile(P("src/run.sh"), Dst, P("run-copy.sh"));
        Assert.Same(Src, dirTask.Session);

        Assert.Empty(await Src.WaitForTasksAsync());

        Assert.False(dirTask.IsRunning);
        Assert.Null(dirTask.Error);
        Assert.Null(fileTask.Error);
        Assert.Equal(TestTree.Snapshot(P("src")), TestTree.Snapshot(P("dst")));
        Assert.Equal(TestTree.Sha256(P("src/run.sh")), TestTree.Sha256(P("run-copy.sh")));
    }

    [Fact]
    public async Task A_failed_background_copy_is_reported_once_by_wait_for_tasks()
    {
        var task = Src.CopyFile(P("nope"), Dst, P("x"));

        var errors = await Assert.ThrowsAsync<TaskErrorsException>(() => Src.WaitForTasksAsync());
        var error = Assert.IsType<TaskException>(Assert.Single(errors.Errors));
        Assert.Same(task, error.Task);
        Assert.Same(Src, error.Session);
        Assert.Contains($"[{Src.Name}]", error.Message);
        Assert.Contains(P("nope"), error.Message);
        var cause = Assert.IsType<FileOperationException>(error.InnerException);
        Assert.Equal(FileErrorKind.NotFound, cause.Kind);
        Assert.Same(error, task.Error);

        Assert.Empty(await Src.WaitForTasksAsync()); // reported once
        Assert.Empty(await Dst.WaitForTasksAsync());
    }

    [Fact]
    public async Task A_failed_background_copy_with_on_done_is_handled_by_the_callback()
    {
        TestTree.Create(P("src"));
        Directory.CreateDirectory(P("dst"));
        var seen = new TaskCompletionSource<BaseTaskException?>(TaskCreationOptions.RunContinuationsAsynchronously);

        var task = Src.CopyDir(P("src"), Dst, P("dst"), onDone: t => seen.TrySetResult(t.Error));

        Assert.Empty(await Src.WaitForTasksAsync());
        var error = await seen.Task;
        Assert.NotNull(error);
        Assert.Contains(P("dst"), error.Message);
        Assert.Contains("destination exists", error.Message);
        Assert.True(task.ErrorHandled);
    }
}
