using RControl.Host.Cli;
using RControl.Host.Cli.Output;
using RControl.Host.Cli.Running;
using RControl.Host.Cli.Targets;
using RControl.Protocol;

namespace RControl.Cli.Tests.Unit;

/// <summary>The pure parts of the pssh/clush options: folding, diffs, -S, hosts files, -o Key=Value.</summary>
public class ParityUnitTests
{
    [Theory]
    [InlineData("web01,web02,web03,web07", "web[01-03,07]")]
    [InlineData("web1,web2,web10,db1", "web[1-2,10],db1")]
    [InlineData("web09,web10,web100", "web[09-10,100]")]
    [InlineData("builder,tester", "builder,tester")]
    [InlineData("r1n1,r1n2,r2n1", "r1n[1-2],r2n1")]
    [InlineData("web1", "web1")]
    [InlineData("web1.example.com,web2.example.com", "web[1-2].example.com")]
    public void Host_names_fold_into_ranges_like_clustershell(string names, string folded) =>
        Assert.Equal(folded, HostSetFolding.Fold(names.Split(',')));

    [Fact]
    public void A_folded_set_expands_back_to_the_same_names()
    {
        var names = new[] { "n001", "n002", "n003", "n010", "n011", "n099" };
        var folded = HostSetFolding.Fold(names);
        Assert.Equal("n[001-003,010-011,099]", folded);
        Assert.Equal(names, HostRange.Expand(folded));
    }

    [Fact]
    public void Target_lists_keep_commas_inside_ranges() =>
        Assert.Equal(["web[01-03,07]", "db1", "x"], TargetList.Split("web[01-03,07], db1,,x"));

    private static RunUnit Unit(string name, int? exit, params string[] lines)
    {
        var unit = new RunUnit(name, "cmd") { State = exit == 0 ? RunState.Succeeded : RunState.Failed, ExitCode = exit };
        foreach (var line in lines)
        {
            unit.AddLine(OutputStream.Stdout, line);
        }

        return unit;
    }

    [Fact]
    public void Diff_shows_each_other_output_against_the_most_common_one()
    {
        var units = new[]
        {
            Unit("web01", 0, "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"),
            Unit("web02", 0, "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"),
            Unit("web03", 0, "a", "B", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m"),
            Unit("web04", 0, "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"),
        };
        Assert.Equal(
            [
                "--- web[01-02,04] (3)",
                "+++ web03 (1)",
                "@@ -1,5 +1,5 @@",
                " a",
                "-b",
                "+B",
                " c",
                " d",
                " e",
                "@@ -10,3 +10,4 @@",
                " j",
                " k",
                " l",
                "+m",
            ],
            OutputDiff.Build(units));
    }

    [Fact]
    public void Identical_outputs_give_no_diff() =>
        Assert.Empty(OutputDiff.Build([Unit("a", 0, "x"), Unit("b", 0, "x")]));

    [Fact]
    public void Largest_exit_status_counts_a_missing_status_as_255()
    {
        Assert.Equal(9, RunUnit.LargestExitStatus([Unit("a", 0), Unit("b", 9), Unit("c", 4)]));
        Assert.Equal(255, RunUnit.LargestExitStatus([Unit("a", 3), Unit("b", null)]));
        Assert.Equal(0, RunUnit.LargestExitStatus([Unit("a", 0)]));
    }

    [Fact]
    public void Hosts_files_read_like_pssh()
    {
        using var dir = new RControl.Cli.Tests.Support.TempDir();
        var path = dir.Write("hosts", "# web servers\nweb1.example.com\n\n  deploy@web2.example.com:2222  # the second\nweb3.example.com admin\n");
        Assert.Equal(
            [("web1.example.com", 2), ("deploy@web2.example.com:2222", 4), ("admin@web3.example.com", 5)],
            HostsFile.Read(path).Select(e => (e.Target, e.Line)));
    }

    [Fact]
    public void Ssh_options_map_onto_the_session_spec_and_win()
    {
        var options = SshOptions.Parse(["port=2222", "User deploy", "StrictHostKeyChecking=accept-new", "ConnectTimeout=4", "IdentityFile=/k1", "IdentityFile=/k2", "ProxyJump=gw@jump:22"]);
        var spec = options.Apply(new SshSessionSpec("h") { Port = 22, User = "me" });
        Assert.Equal(2222, spec.Port);
        Assert.Equal("deploy", spec.User);
        Assert.Equal(HostKeyPolicy.AcceptNew, spec.HostKeyPolicy);
        Assert.Equal(TimeSpan.FromSeconds(4), spec.ConnectTimeout);
        Assert.Equal(TimeSpan.FromSeconds(4), spec.ConnectBudget);
        Assert.Equal(["/k1", "/k2"], spec.IdentityFiles);
        Assert.Equal("gw@jump:22", spec.ProxyJump);
    }

    [Theory]
    [InlineData("ForwardAgent=yes", "-o ForwardAgent: not an ssh option rcontrol understands")]
    [InlineData("Prot=22", "(did you mean 'Port'?)")]
    [InlineData("Port=ssh", "-o Port: 'ssh' is not a port")]
    [InlineData("StrictHostKeyChecking=maybe", "is not yes, accept-new or no")]
    [InlineData("ConnectTimeout=0", "-o ConnectTimeout: '0' is not a whole number of seconds")]
    public void Unknown_or_bad_ssh_options_are_refused(string option, string message) =>
        Assert.Contains(message, Assert.Throws<UsageException>(() => SshOptions.Parse([option])).Message);
}
