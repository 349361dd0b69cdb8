using RControl.Files.Tests.Contracts;
using RControl.Files.Tests.Support;

namespace RControl.Files.Tests.Local;

/// <summary>Local → local copies, plus failures in the middle of a copy (a destination disk that fills up).</summary>
public sealed class LocalCopyTests : CopyContract
{
    protected override Task<Session> CreateSourceAsync() => Task.FromResult<Session>(Rc.CreateLocalSession("src-host"));

    protected override Task<Session> CreateDestinationAsync() => Task.FromResult<Session>(Rc.CreateLocalSession("dst-host"));

    [Fact]
    public async Task A_file_copy_failing_midway_leaves_nothing_under_the_destination_name()
    {
        TestTree.WriteLarge(P("big.bin"), 4 * 1024 * 1024);
        TestTree.Write(P("existing"), "keep me", TestTree.Plain);
        Dst.FileSystem = new FailingFileSystem(failAfterBytes: 1024 * 1024);

        var e = await Assert.ThrowsAsync<FileOperationException>(() => Src.CopyFileAsync(P("big.bin"), Dst, P("copy.bin")));
        Assert.Equal(Dst.Name, e.SessionName);
        Assert.Contains("No space left on device", e.Message);
        Assert.Equal(P("copy.bin"), e.Path); // the destination, not the temporary name
        Assert.DoesNotContain(".rcontrol-", e.Message);
        Assert.Equal(new[] { "big.bin", "existing" }, WorkEntries());

        // Overwriting: the old content survives a failed copy.
        await Assert.ThrowsAsync<FileOperationException>(() => Src.CopyFileAsync(P("big.bin"), Dst, P("existing")));
        Assert.Equal("keep me", await File.ReadAllTextAsync(P("existing")));
        Assert.Equal(new[] { "big.bin", "existing" }, WorkEntries());
    }

    [Fact]
    public async Task A_dir_copy_failing_midway_leaves_nothing_and_reports_once()
    {
        TestTree.Create(P("src"));
        File.SetUnixFileMode(P("src/a"), (UnixFileMode)0b101_101_101); // read-only dir: cleanup must still work
        Dst.FileSystem = new FailingFileSystem(failAfterBytes: 512 * 1024);

        var task = Src.CopyDir(P("src"), Dst, P("dst"));
        var errors = await Assert.ThrowsAsync<TaskErrorsException>(() => Src.WaitForTasksAsync());

        var error = Assert.Single(errors.Errors);
        Assert.Contains($"[{Dst.Name}]", error.Message);
        Assert.Contains("No space left on device", error.Message);
        Assert.Contains(P("dst") + "/", error.Message);
        Assert.DoesNotContain(".rcontrol-", error.Message);
        Assert.Equal(new[] { "src" }, WorkEntries());
        Assert.Empty(await Src.WaitForTasksAsync());
        Assert.NotNull(task.Error);
        File.SetUnixFileMode(P("src/a"), TestTree.Dir);
    }

    [Fact]
    public async Task File_operations_after_close_are_refused()
    {
        await Src.CloseAsync();
        var e = await Assert.ThrowsAsync<SessionException>(() => Src.ExistsAsync(Work.Path));
        Assert.Contains(Src.Name, e.Message);
    }
}
