using System.Diagnostics;
using System.Security.Cryptography;
using RControl.Cli.Tests.Support;
using RControl.TestSupport;
using TempDir = RControl.Cli.Tests.Support.TempDir;

namespace RControl.Cli.Tests.Commands;

/// <summary>
/// What pssh and clush users reach for, run as a user would against the sshd fixture: two SSH "hosts" (inventory
/// sessions web01 and web02 on the fixture) and the local machine as web03 (a different login, so outputs differ).
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ParityTests : IClassFixture<SshdFixture>
{
    private readonly SshServer _sshd;

    public ParityTests(SshdFixture fixture)
    {
        _sshd = fixture.Server;
    }

    private string RemoteSession =>
        $"type = ssh, host = \"{_sshd.Host}\", port = {_sshd.Port}, user = \"{_sshd.User.Name}\", " +
        $"identity-files = [\"{_sshd.ClientKey.PrivateKeyFile}\"], known-hosts = \"{_sshd.KnownHostsFile}\", ssh-config = \"{_sshd.SshConfigFile}\"";

    private string[] SshOptions => ["--identity", _sshd.ClientKey.PrivateKeyFile, "--known-hosts", _sshd.KnownHostsFile, "--ssh-config", _sshd.SshConfigFile];

    private string Inventory(TempDir dir) => dir.Write("inventory.hocon", $$"""
        sessions {
          web01 { {{RemoteSession}} }
          web02 { {{RemoteSession}} }
          web03 { type = local }
        }
        groups { web = [web01, web02, web03], remotes = [web01, web02] }
        """);

    [Fact]
    public async Task Gathered_output_names_hosts_as_folded_sets()
    {
        using var dir = new TempDir();
        var r = await CliProcess.RunAsync("exec", "--inventory", Inventory(dir), "-t", "web", "-b", "--", "whoami");
        Assert.True(r.ExitCode == 0, r.ToString());
        var text = r.Stdout.ReplaceLineEndings("\n");
        Assert.Contains($"web[01-02] (2)\n---------------\n{_sshd.User.Name}\n", text);
        Assert.Contains("web03 (1)\n---------------\nroot\n", text);
    }

    [Fact]
    public async Task Diff_shows_the_odd_host_against_the_most_common_output()
    {
        using var dir = new TempDir();
        var r = await CliProcess.RunAsync("exec", "--inventory", Inventory(dir), "-t", "web[01-03]", "--diff", "--", "echo start; whoami; echo end");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(
            ["--- web[01-02] (2)", "+++ web03 (1)", "@@ -1,3 +1,3 @@", " start", $"-{_sshd.User.Name}", "+root", " end"],
            r.StdoutLines.TakeWhile(l => !l.StartsWith("summary:", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Dash_S_exits_with_the_largest_remote_status()
    {
        using var dir = new TempDir();
        var command = "[ \"$(whoami)\" = root ] && exit 5 || exit 9";
        var largest = CliProcess.RunAsync("exec", "--inventory", Inventory(dir), "-t", "web", "-S", "--", command);
        var plain = CliProcess.RunAsync("exec", "--inventory", Inventory(dir), "-t", "web", "--", command);
        var l = await largest;
        Assert.True(l.ExitCode == 9, l.ToString());
        var p = await plain;
        Assert.True(p.ExitCode == 1, p.ToString());
    }

    [Fact]
    public async Task Exclusions_leave_out_names_and_groups()
    {
        using var dir = new TempDir();
        var inventory = Inventory(dir);
        var names = CliProcess.RunAsync("exec", "--inventory", inventory, "-t", "web", "-x", "web02", "--json", "--", "echo hi");
        var groups = CliProcess.RunAsync("exec", "--inventory", inventory, "-t", "web", "-X", "remotes", "--json", "--", "echo hi");
        var n = await names;
        Assert.True(n.ExitCode == 0, n.ToString());
        Assert.Equal(["web01", "web03"], n.Json.Select(o => o.GetProperty("session").GetString()).Order());
        var g = await groups;
        Assert.True(g.ExitCode == 0, g.ToString());
        Assert.Equal(["web03"], g.Json.Select(o => o.GetProperty("session").GetString()));
    }

    [Fact]
    public async Task A_hosts_file_lists_targets_like_pssh()
    {
        using var dir = new TempDir();
        var hosts = dir.Write("hosts.txt", $"# the fleet\n{_sshd.Host}:{_sshd.Port} {_sshd.User.Name}\n\nlocal   # this machine\n");
        var r = await CliProcess.RunAsync(["exec", "--hosts", hosts, .. SshOptions, "--json", "--", "whoami"]);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(
            [("local", "root"), ($"{_sshd.User.Name}@{_sshd.Host}:{_sshd.Port}", _sshd.User.Name)],
            r.Json.Select(o => (o.GetProperty("session").GetString(), o.GetProperty("output")[0].GetString())).Order());
    }

    [Fact]
    public async Task Output_and_error_folders_get_one_file_per_host()
    {
        using var dir = new TempDir();
        var outDir = Path.Combine(dir.Path, "out");
        var errDir = Path.Combine(dir.Path, "err");
        var r = await CliProcess.RunAsync("exec", "--inventory", Inventory(dir), "-t", "web", "-o", outDir, "-e", errDir, "--", "echo out $(whoami); echo err $(whoami) >&2");
        Assert.True(r.ExitCode == 0, r.ToString());
        foreach (var (host, user) in new[] { ("web01", _sshd.User.Name), ("web02", _sshd.User.Name), ("web03", "root") })
        {
            Assert.Equal($"out {user}\n", File.ReadAllText(Path.Combine(outDir, host)));
            Assert.Equal($"err {user}\n", File.ReadAllText(Path.Combine(errDir, host)));
        }
    }

    [Fact]
    public async Task Stdin_from_a_file_or_a_pipe_reaches_every_command()
    {
        using var dir = new TempDir();
        var marker = Guid.NewGuid().ToString("N");
        var data = string.Concat(Enumerable.Range(0, 5000).Select(i => $"{marker} line {i}\n"));
        var file = dir.Write("input.txt", data);
        var expected = Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(data)));

        var fromFile = CliProcess.RunAsync("exec", "--inventory", Inventory(dir), "-t", "web", "--stdin", file, "--json", "--", "sha256sum | cut -d' ' -f1");
        var start = CliProcess.StartInfo(["exec", "--inventory", Inventory(dir), "-t", "web", "--stdin", "-", "--json", "--", "sha256sum | cut -d' ' -f1"]);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(data);
        process.StandardInput.Close();
        await process.WaitForExitAsync();
        var piped = new CliResult(process.ExitCode, await stdout, await stderr);

        foreach (var r in new[] { await fromFile, piped })
        {
            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.Equal(3, r.Json.Count);
            Assert.All(r.Json, o => Assert.Equal(expected, o.GetProperty("output")[0].GetString()));
        }

        // The private copies are gone once the commands have them open.
        var left = Directory.GetFiles("/tmp", ".rcontrol-stdin-*").Where(f => TryRead(f).Contains(marker, StringComparison.Ordinal));
        Assert.Empty(left);
    }

    private static string TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }

    [Fact]
    public async Task Copy_to_a_group_and_gather_from_it_give_byte_identical_trees()
    {
        using var dir = new TempDir();
        var inventory = dir.Write("inventory.hocon", $$"""
            sessions {
              remote { {{RemoteSession}} }
              here { type = local }
            }
            groups { pair = [remote, here] }
            """);
        var source = Path.Combine(dir.Path, "src");
        WriteTree(source);
        var relative = "parity-copy-" + Guid.NewGuid().ToString("N");
        try
        {
            // A relative path: the login directory on the SSH host, rcontrol's working directory locally.
            var spread = await CliProcess.RunInAsync(dir.Path, "copy", "--inventory", inventory, "--fanout", "2", $"local:{source}", $"pair:{relative}");
            Assert.True(spread.ExitCode == 0, spread.ToString());
            Assert.Contains("summary: 2 task(s): 2 ok", spread.Stdout);
            AssertSameTree(source, Path.Combine(dir.Path, relative));
            AssertSameTree(source, Path.Combine(_sshd.User.Home, relative));

            var gathered = Path.Combine(dir.Path, "gathered");
            var gather = await CliProcess.RunInAsync(dir.Path, "copy", "--inventory", inventory, $"pair:{relative}", $"local:{gathered}", "--json");
            Assert.True(gather.ExitCode == 0, gather.ToString());
            Assert.Equal(["here", "remote"], gather.Json.Select(o => o.GetProperty("session").GetString()).Order());
            Assert.Equal(["here", "remote"], Directory.GetDirectories(gathered).Select(Path.GetFileName).Order());
            AssertSameTree(source, Path.Combine(gathered, "remote"));
            AssertSameTree(source, Path.Combine(gathered, "here"));
        }
        finally
        {
            Directory.Delete(Path.Combine(_sshd.User.Home, relative), recursive: true);
        }
    }

    [Fact]
    public async Task Force_replaces_an_existing_tree_and_a_failure_midway_leaves_the_old_tree_intact()
    {
        using var dir = new TempDir();
        var inventory = dir.Write("inventory.hocon", $"sessions {{ remote {{ {RemoteSession} }} }}\n");
        var destination = Path.Combine(dir.Path, "dst");
        dir.Write("dst/old.txt", "old\n");
        dir.Write("dst/keep/nested.txt", "nested\n");

        // The source is read over SFTP as the unprivileged login: a file it may not read fails the copy midway.
        var good = Path.Combine(dir.Path, "good");
        WriteTree(good);
        var bad = Path.Combine(dir.Path, "bad");
        WriteTree(bad);
        File.WriteAllText(Path.Combine(bad, "m-unreadable.bin"), "secret\n");
        File.SetUnixFileMode(Path.Combine(bad, "m-unreadable.bin"), UnixFileMode.None);

        var refused = await CliProcess.RunAsync("copy", "--inventory", inventory, $"remote:{good}", $"local:{destination}");
        Assert.True(refused.ExitCode == 1, refused.ToString());
        Assert.Contains("destination exists", refused.Stdout);

        var failed = await CliProcess.RunAsync("copy", "--inventory", inventory, "--force", $"remote:{bad}", $"local:{destination}");
        Assert.True(failed.ExitCode == 1, failed.ToString());
        Assert.Equal(["keep/nested.txt", "old.txt"], Files(destination).Select(f => f.Path));
        Assert.Equal("old\n", File.ReadAllText(Path.Combine(destination, "old.txt")));
        Assert.Equal(["bad", "dst", "good", "inventory.hocon"], Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName).Order());

        var replaced = await CliProcess.RunAsync("copy", "--inventory", inventory, "--force", $"remote:{good}", $"local:{destination}");
        Assert.True(replaced.ExitCode == 0, replaced.ToString());
        AssertSameTree(good, destination);
        Assert.Equal(["bad", "dst", "good", "inventory.hocon"], Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName).Order());
    }

    [Fact]
    public async Task Control_sequences_are_shown_not_interpreted_in_the_live_view_and_raw_in_plain_output()
    {
        using var dir = new TempDir();
        var command = "printf 'before\\033]0;PWNED\\007after\\n'";
        var start = new ProcessStartInfo("script") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var arg in new[] { "-qec", $"dotnet {CliProcess.Dll} exec --inventory {Inventory(dir)} -t web01 --live -- \"{command}\"", "/dev/null" })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["TERM"] = "xterm-256color";
        start.Environment["COLUMNS"] = "120";
        var live = await CliProcess.RunProcessAsync(start);
        Assert.True(live.ExitCode == 0, live.ToString());
        Assert.Contains("before^[]0;PWNED^Gafter", live.Stdout);
        Assert.DoesNotContain("\u001b]0;PWNED", live.Stdout, StringComparison.Ordinal);

        var plain = await CliProcess.RunAsync("exec", "--inventory", Inventory(dir), "-t", "web01", "--", command);
        Assert.True(plain.ExitCode == 0, plain.ToString());
        Assert.Contains("web01: before\u001b]0;PWNED\u0007after", plain.StdoutLines);
    }

    /// <summary>A small tree: nested folders, an empty file, random binary files.</summary>
    private static void WriteTree(string root)
    {
        Directory.CreateDirectory(Path.Combine(root, "a/b/c"));
        File.WriteAllBytes(Path.Combine(root, "empty"), []);
        for (var i = 0; i < 6; i++)
        {
            File.WriteAllBytes(Path.Combine(root, i % 2 == 0 ? "a" : "a/b/c", $"f{i}.bin"), RandomNumberGenerator.GetBytes(1000 + (i * 70_000)));
        }

        File.WriteAllBytes(Path.Combine(root, "z-last.bin"), RandomNumberGenerator.GetBytes(300_000));
    }

    private static IReadOnlyList<(string Path, string Hash)> Files(string root) =>
        Directory.GetFiles(root, "*", SearchOption.AllDirectories)
            .Select(f => (Path.GetRelativePath(root, f), Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f)))))
            .OrderBy(f => f.Item1, StringComparer.Ordinal)
            .ToArray();

    private static void AssertSameTree(string expected, string actual) => Assert.Equal(Files(expected), Files(actual));
}
