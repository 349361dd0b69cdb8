using System.Text;
using RControl.Files.Tests.Support;

namespace RControl.Files.Tests.Contracts;

/// <summary>Every file operation of the facade, run against a local session and an SSH session (same assertions).</summary>
public abstract class FileOperationsContract : SessionTestBase
{
    private Session? _session;

    protected Session S => _session ?? throw new InvalidOperationException("not initialised");

    protected abstract Task<Session> CreateSessionAsync();

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _session = Track(await CreateSessionAsync());
    }

    private static async Task<string> ReadAllAsync(Stream stream)
    {
        await using (stream)
        {
            using var reader = new StreamReader(stream, Encoding.UTF8);
            return await reader.ReadToEndAsync();
        }
    }

    private async Task WriteAsync(string path, string content, FileOpenMode mode = FileOpenMode.Write)
    {
        await using var stream = await S.OpenAsync(path, mode);
        await stream.WriteAsync(Encoding.UTF8.GetBytes(content));
    }

    [Fact]
    public async Task Open_writes_appends_and_reads_back()
    {
        var path = P("f.txt");
        await WriteAsync(path, "hello ");
        await WriteAsync(path, "world", FileOpenMode.Append);
        Assert.Equal("hello world", await ReadAllAsync(await S.OpenAsync(path)));
        Assert.Equal("hello world", await File.ReadAllTextAsync(path));

        await WriteAsync(path, "new");
        Assert.Equal("new", await ReadAllAsync(await S.OpenAsync(path, FileOpenMode.Read)));
    }

    [Fact]
    public async Task Open_create_new_fails_when_the_file_exists()
    {
        var path = P("once.txt");
        await WriteAsync(path, "1", FileOpenMode.CreateNew);
        var e = await Assert.ThrowsAsync<FileOperationException>(() => WriteAsync(path, "2", FileOpenMode.CreateNew));
        Assert.Equal(FileErrorKind.AlreadyExists, e.Kind);
        Assert.Equal("1", await File.ReadAllTextAsync(path));
    }

    [Fact]
    public async Task Open_missing_file_names_session_and_path()
    {
        var path = P("missing/nothing.txt");
        var e = await Assert.ThrowsAsync<FileOperationException>(() => S.OpenAsync(path));
        Assert.Equal(FileErrorKind.NotFound, e.Kind);
        Assert.Equal(S.Name, e.SessionName);
        Assert.Contains($"[{S.Name}]", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public async Task Open_a_directory_is_an_error()
    {
        var e = await Assert.ThrowsAsync<FileOperationException>(() => WriteAsync(Work.Path, "x"));
        Assert.Contains(Work.Path, e.Message);
    }

    [Fact]
    public async Task Stat_reports_kind_size_mode_and_mtime()
    {
        var path = P("s.txt");
        TestTree.Write(path, "12345", TestTree.Exec);
        var mtime = new DateTimeOffset(2020, 1, 2, 3, 4, 5, TimeSpan.Zero);
        File.SetLastWriteTimeUtc(path, mtime.UtcDateTime);
        File.CreateSymbolicLink(P("s-link"), "s.txt");

        var stat = await S.StatAsync(path);
        Assert.Equal(FileKind.File, stat.Kind);
        Assert.Equal(5, stat.Size);
        Assert.Equal(TestTree.Exec, stat.Mode);
        Assert.Equal(mtime, stat.ModifiedAt);

        Assert.Equal(FileKind.Directory, (await S.StatAsync(Work.Path)).Kind);
        Assert.Equal(TestTree.OpenDir, (await S.StatAsync(Work.Path)).Mode);
        Assert.Equal(FileKind.File, (await S.StatAsync(P("s-link"))).Kind);
        Assert.Equal(FileKind.SymbolicLink, (await S.StatAsync(P("s-link"), followLinks: false)).Kind);

        var e = await Assert.ThrowsAsync<FileOperationException>(() => S.StatAsync(P("nope")));
        Assert.Equal(FileErrorKind.NotFound, e.Kind);
        Assert.Contains(P("nope"), e.Message);
    }

    [Fact]
    public async Task Exists_isdir_islink_tell_files_dirs_and_links_apart()
    {
        TestTree.Write(P("file"), "x", TestTree.Plain);
        Directory.CreateDirectory(P("dir"));
        File.CreateSymbolicLink(P("link-file"), "file");
        Directory.CreateSymbolicLink(P("link-dir"), "dir");
        File.CreateSymbolicLink(P("dangling"), "nowhere");

        Assert.True(await S.ExistsAsync(P("file")));
        Assert.True(await S.ExistsAsync(P("dir")));
        Assert.False(await S.ExistsAsync(P("nowhere")));
        Assert.False(await S.ExistsAsync(P("dangling")));

        Assert.True(await S.IsDirAsync(P("dir")));
        Assert.True(await S.IsDirAsync(P("link-dir")));
        Assert.False(await S.IsDirAsync(P("file")));
        Assert.False(await S.IsDirAsync(P("nowhere")));

        Assert.True(await S.IsLinkAsync(P("link-file")));
        Assert.True(await S.IsLinkAsync(P("link-dir")));
        Assert.True(await S.IsLinkAsync(P("dangling")));
        Assert.False(await S.IsLinkAsync(P("file")));
        Assert.False(await S.IsLinkAsync(P("dir")));
        Assert.False(await S.IsLinkAsync(P("nowhere")));
    }

    [Fact]
    public async Task Mkdir_creates_one_level_or_with_parents()
    {
        await S.MkdirAsync(P("one"));
        Assert.True(Directory.Exists(P("one")));

        var exists = await Assert.ThrowsAsync<FileOperationException>(() => S.MkdirAsync(P("one")));
        Assert.Equal(FileErrorKind.AlreadyExists, exists.Kind);

        var missingParent = await Assert.ThrowsAsync<FileOperationException>(() => S.MkdirAsync(P("x/y/z")));
        Assert.Equal(FileErrorKind.NotFound, missingParent.Kind);
        Assert.Contains(P("x/y/z"), missingParent.Message);

        await S.MkdirAsync(P("x/y/z"), parents: true);
        Assert.True(Directory.Exists(P("x/y/z")));
        await S.MkdirAsync(P("x/y"), parents: true); // existing is fine with parents
    }

    [Fact]
    public async Task Remove_file_link_empty_dir_and_tree()
    {
        TestTree.Write(P("file"), "x", TestTree.Plain);
        await S.MkdirAsync(P("outside"));
        TestTree.Write(P("outside/keep"), "keep", TestTree.Plain);
        await S.MkdirAsync(P("tree/a/b"), parents: true);
        await WriteAsync(P("tree/a/b/f"), "f");
        await S.SymlinkAsync(P("outside"), P("tree/a/link-out"));
        await S.MkdirAsync(P("empty"));
        await S.SymlinkAsync("file", P("link"));

        await S.RemoveAsync(P("link"));
        Assert.False(await S.IsLinkAsync(P("link")));
        Assert.True(File.Exists(P("file")));

        await S.RemoveAsync(P("file"));
        Assert.False(File.Exists(P("file")));

        await S.RemoveAsync(P("empty"));
        Assert.False(Directory.Exists(P("empty")));

        var notEmpty = await Assert.ThrowsAsync<FileOperationException>(() => S.RemoveAsync(P("tree")));
        Assert.Equal(FileErrorKind.NotEmpty, notEmpty.Kind);
        Assert.True(Directory.Exists(P("tree/a/b")));

        await S.RemoveAsync(P("tree"), recursive: true);
        Assert.False(Directory.Exists(P("tree")));
        Assert.Equal("keep", await File.ReadAllTextAsync(P("outside/keep"))); // links are removed, not followed

        var missing = await Assert.ThrowsAsync<FileOperationException>(() => S.RemoveAsync(P("gone")));
        Assert.Equal(FileErrorKind.NotFound, missing.Kind);
        Assert.Contains(P("gone"), missing.Message);
    }

    [Fact]
    public async Task Remove_without_permission_is_permission_denied()
    {
        // /proc entries cannot be removed, not even by root.
        var e = await Assert.ThrowsAsync<FileOperationException>(() => S.RemoveAsync("/proc/version"));
        Assert.Equal(FileErrorKind.PermissionDenied, e.Kind);
        Assert.Contains("/proc/version", e.Message);
        Assert.Contains($"[{S.Name}]", e.Message);
    }

    [Fact]
    public async Task Rename_moves_files_and_dirs_and_replaces_a_file()
    {
        await WriteAsync(P("a"), "A");
        await WriteAsync(P("b"), "B");
        await S.RenameAsync(P("a"), P("b"));
        Assert.False(File.Exists(P("a")));
        Assert.Equal("A", await File.ReadAllTextAsync(P("b")));

        await S.MkdirAsync(P("d1"));
        await WriteAsync(P("d1/x"), "x");
        await S.RenameAsync(P("d1"), P("d2"));
        Assert.Equal("x", await File.ReadAllTextAsync(P("d2/x")));

        var e = await Assert.ThrowsAsync<FileOperationException>(() => S.RenameAsync(P("nothing"), P("else")));
        Assert.Equal(FileErrorKind.NotFound, e.Kind);
        Assert.Contains(P("nothing"), e.Message);
    }

    [Fact]
    public async Task Chmod_symlink_readlink_and_listdir()
    {
        await WriteAsync(P("tool"), "#!/bin/sh\n");
        await S.ChmodAsync(P("tool"), TestTree.Exec);
        Assert.Equal(TestTree.Exec, File.GetUnixFileMode(P("tool")));

        await S.SymlinkAsync("tool", P("tool-link"));
        Assert.Equal("tool", await S.ReadLinkAsync(P("tool-link")));
        Assert.Equal("tool", new FileInfo(P("tool-link")).LinkTarget);

        var entries = await S.ListDirAsync(Work.Path);
        Assert.Equal(new[] { "tool", "tool-link" }, entries.Select(e => e.Name));
        Assert.Equal(FileKind.SymbolicLink, entries[1].Stat.Kind);

        var e = await Assert.ThrowsAsync<FileOperationException>(() => S.ListDirAsync(P("tool")));
        Assert.Equal(FileErrorKind.NotADirectory, e.Kind);
    }

    [Fact]
    public async Task Walk_top_down_and_bottom_up_like_os_walk()
    {
        var root = P("tree");
        TestTree.Create(root);

        var down = await S.WalkAsync(root).ToListAsync();
        Assert.Equal(root, down[0].Dir);
        Assert.Equal(new[] { "a", "empty", "link-to-b" }, down[0].Dirs.Order(StringComparer.Ordinal));
        Assert.Equal(new[] { "empty.txt", "link-to-run", "run.sh" }, down[0].Files.Order(StringComparer.Ordinal));
        var dirsDown = down.Select(d => Path.GetRelativePath(root, d.Dir)).ToList();
        Assert.Equal(new[] { ".", "a", "a/b", "a/b/c", "a/empty too", "empty" }, dirsDown.Order(StringComparer.Ordinal));
        Assert.True(dirsDown.IndexOf("a") < dirsDown.IndexOf("a/b"));
        Assert.Contains(TestTree.OddName, down.Single(d => d.Dir.EndsWith("/a", StringComparison.Ordinal)).Files);
        Assert.Contains("dangling", down.Single(d => d.Dir.EndsWith("/a", StringComparison.Ordinal)).Files);

        var up = await S.WalkAsync(root, topDown: false).ToListAsync();
        var dirsUp = up.Select(d => Path.GetRelativePath(root, d.Dir)).ToList();
        Assert.Equal(".", dirsUp[^1]);
        Assert.True(dirsUp.IndexOf("a/b") < dirsUp.IndexOf("a"));

        var followed = await S.WalkAsync(root, followLinks: true).ToListAsync();
        Assert.Contains(followed, d => d.Dir == Path.Combine(root, "link-to-b") && d.Files.Contains("blob.bin"));
    }

    [Fact]
    public async Task Walk_reports_an_unlistable_top_to_on_error()
    {
        var errors = new List<Exception>();
        var items = await S.WalkAsync(P("missing"), onError: errors.Add).ToListAsync();
        Assert.Empty(items);
        var e = Assert.IsType<FileOperationException>(Assert.Single(errors));
        Assert.Equal(FileErrorKind.NotFound, e.Kind);
        Assert.Contains(P("missing"), e.Message);

        Assert.Empty(await S.WalkAsync(P("missing")).ToListAsync()); // no callback: skipped silently, as os.walk
    }
}
