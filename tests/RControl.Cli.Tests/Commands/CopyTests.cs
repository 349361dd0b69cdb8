using RControl.Cli.Tests.Support;
using RControl.TestSupport;

namespace RControl.Cli.Tests.Commands;

public sealed class CopyTests : IClassFixture<SshdFixture>
{
    private readonly SshServer _sshd;

    public CopyTests(SshdFixture fixture)
    {
        _sshd = fixture.Server;
    }

    private string Remote => $"{_sshd.User.Name}@{_sshd.Host}:{_sshd.Port}";

    private string[] SshOptions => ["--identity", _sshd.ClientKey.PrivateKeyFile, "--known-hosts", _sshd.KnownHostsFile, "--ssh-config", _sshd.SshConfigFile];

    [Fact]
    public async Task Copy_a_directory_tree_and_a_file_locally()
    {
        using var dir = new Support.TempDir();
        dir.Write("src/a.txt", "alpha\n");
        dir.Write("src/nested/deeper/b.txt", "beta\n");
        var tree = CliProcess.RunAsync("copy", $"local:{dir.Path}/src", $"local:{dir.Path}/dst");
        var file = CliProcess.RunAsync("copy", $"local:{dir.Path}/src/a.txt", $"local:{dir.Path}/single.txt", "--json");
        var r = await tree;
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("beta\n", File.ReadAllText(Path.Combine(dir.Path, "dst/nested/deeper/b.txt")));
        Assert.Equal("alpha\n", File.ReadAllText(Path.Combine(dir.Path, "dst/a.txt")));
        Assert.Contains("local: copied 2 file(s)", r.Stdout);
        var f = await file;
        Assert.True(f.ExitCode == 0, f.ToString());
        Assert.Equal("alpha\n", File.ReadAllText(Path.Combine(dir.Path, "single.txt")));
        Assert.Equal("succeeded", f.Json.Single().GetProperty("state").GetString());
    }

    [Fact]
    public async Task A_missing_source_fails_with_1_and_a_bad_endpoint_is_bad_usage()
    {
        using var dir = new Support.TempDir();
        var missing = CliProcess.RunAsync("copy", $"local:{dir.Path}/nope", $"local:{dir.Path}/x");
        var bad = CliProcess.RunAsync("copy", "no-colon-here", $"local:{dir.Path}/x");
        var group = CliProcess.RunAsync("copy", "mordor:/a", $"local:{dir.Path}/x");
        var m = await missing;
        Assert.True(m.ExitCode == 1, m.ToString());
        Assert.Contains("/nope", m.Stdout);
        var b = await bad;
        Assert.True(b.ExitCode == 2, b.ToString());
        Assert.Contains("'no-colon-here' is not session:path", b.Stderr);
        Assert.Equal(2, (await group).ExitCode);
    }

    [Fact]
    public async Task Copy_to_an_ssh_host_and_back()
    {
        using var dir = new Support.TempDir();
        dir.Write("src/data.txt", string.Concat(Enumerable.Range(0, 20_000).Select(i => $"line {i}\n")));
        dir.Write("src/sub/x.txt", "x\n");
        var remoteDir = "cli-copy-" + Guid.NewGuid().ToString("N");
        try
        {
            var up = await CliProcess.RunAsync(["copy", $"local:{dir.Path}/src", $"{Remote}:{remoteDir}", .. SshOptions]);
            Assert.True(up.ExitCode == 0, up.ToString());
            var down = await CliProcess.RunAsync(["copy", $"{Remote}:{remoteDir}", $"local:{dir.Path}/back", .. SshOptions, "--json"]);
            Assert.True(down.ExitCode == 0, down.ToString());
            Assert.Equal(File.ReadAllText(Path.Combine(dir.Path, "src/data.txt")), File.ReadAllText(Path.Combine(dir.Path, "back/data.txt")));
            Assert.Equal("x\n", File.ReadAllText(Path.Combine(dir.Path, "back/sub/x.txt")));
        }
        finally
        {
            await CliProcess.RunAsync(["exec", "-t", Remote, .. SshOptions, "--", $"rm -rf {remoteDir}"]);
        }
    }

    [Fact]
    public async Task A_plan_copy_task_runs_in_the_graph()
    {
        using var dir = new Support.TempDir();
        var plan = dir.Write("plan.hocon", $$"""
            tasks = [
              { name = make, session = local, run = "mkdir -p {{dir.Path}}/made && echo built > {{dir.Path}}/made/artifact" }
              { name = ship, after = [make], copy { from = "local:{{dir.Path}}/made", to = "local:{{dir.Path}}/shipped" } }
              { name = check, session = local, after = [ship], run = "cat {{dir.Path}}/shipped/artifact" }
            ]
            """);
        var r = await CliProcess.RunAsync("run", plan, "--json");
        Assert.True(r.ExitCode == 0, r.ToString());
        var tasks = r.Json.ToDictionary(o => o.GetProperty("task").GetString()!);
        Assert.Equal("local", tasks["ship"].GetProperty("session").GetString());
        Assert.Equal(["built"], tasks["check"].GetProperty("output").EnumerateArray().Select(e => e.GetString()));
    }
}
