using RControl.Configuration;
using RControl.Host.Cli;
using RControl.Host.Cli.Targets;
using RControl.Protocol;

namespace RControl.Cli.Tests.Unit;

/// <summary>Session keys checked like task keys; the HOCON helpers that name lines and accept valid HOCON Akka refuses.</summary>
public class ConfigKeyTests
{
    [Theory]
    [InlineData("prot", "port")]
    [InlineData("identity-file", "identity-files")]
    [InlineData("hostt", "host")]
    [InlineData("kown-hosts", "known-hosts")]
    [InlineData("elephant", null)]
    public void A_misspelt_key_suggests_the_known_one(string key, string? expected) =>
        Assert.Equal(expected, KeySuggestion.Closest(key, ["type", "host", "port", "identity-files", "known-hosts"]));

    [Theory]
    [InlineData("sessions {\n  web1 {\n    type = ssh\n    prot = 1\n  }\n}", "sessions.web1.prot", 4)]
    [InlineData("sessions.web1 { type = ssh, prot = 1 }", "sessions.web1.prot", 1)]
    [InlineData("# comment { \nsessions {\n web1.prot = 1\n}", "sessions.web1.prot", 3)]
    [InlineData("{\n sessions {\n  a { x = \"}\" }\n  b {\n   prot = 1 } } }", "sessions.b.prot", 5)]
    [InlineData("tasks = [ { prot = 1 } ]\nprot = 2", "prot", 2)]
    [InlineData("sessions { a { type = local } }", "sessions.b", null)]
    public void Key_lines_are_found_in_nested_and_dotted_forms(string text, string path, int? line) =>
        Assert.Equal(line, HoconSource.LineOf(text, path.Split('.')));

    [Fact]
    public void A_comma_after_an_object_inside_an_object_is_read_as_a_separator()
    {
        var text = "t {\n copy { from = \"a:b\" }, after = [b]\n x = \"},\"\n list = [{ a = 1 }, { a = 2 }]\n}";
        var relaxed = HoconSource.CommasAfterObjects(text);
        Assert.Equal(text.Length, relaxed.Length);
        Assert.Contains("}  after", relaxed);
        Assert.Contains("x = \"},\"", relaxed);
        Assert.Contains("{ a = 1 }, { a = 2 }", relaxed);
        var config = RControlConfig.ParseUser(text);
        Assert.Equal("b", config.GetStringList("t.after")[0]);
        Assert.Equal(2, config.GetValue("t.list").GetArray().Count);
    }

    [Theory]
    [InlineData("sessions { a { type = ssh, host = h, prot = 2242 } }", "session 'a': unknown key 'prot' (did you mean 'port'?)", "sessions.a.prot")]
    [InlineData("sessions { a { type = ssh, host = h, identity-file = x } }", "unknown key 'identity-file' (did you mean 'identity-files'?)", "sessions.a.identity-file")]
    [InlineData("sessions { a { type = local, max-channels = \"lots\" } }", "session 'a': unknown key 'max-channels'", "sessions.a.max-channels")]
    [InlineData("sessions { a { type = ssh, host = h, max-channels = \"lots\" } }", "session 'a': 'max-channels' must be a whole number, got 'lots'", "sessions.a.max-channels")]
    [InlineData("sessions { a { type = ssh, host = h, port = 70000 } }", "session 'a': 'port' must be from 1 to 65535", "sessions.a.port")]
    [InlineData("sessions { a { type = ssh, host = [h] } }", "session 'a': 'host' must be a string", "sessions.a.host")]
    [InlineData("sessions { a { type = ssh, host = h, identity-files = x } }", "'identity-files' must be a list of strings", "sessions.a.identity-files")]
    [InlineData("sessions { a = local }", "session 'a' must be an object", "sessions.a")]
    [InlineData("sessions { a { type = local } }\ngroups { g = a }", "group 'g' must be a list of session names", "groups.g")]
    [InlineData("sessions { abc { type = local } }\ngroups { g = [abd] }", "group 'g': unknown session(s) abd (did you mean 'abc'?)", "groups.g")]
    public void Bad_session_keys_name_the_session_and_key(string hocon, string expected, string path)
    {
        var error = Assert.Throws<ConfigKeyException>(() => Inventory.Parse(hocon));
        Assert.Contains(expected, error.Message);
        Assert.Equal(path.Split('.'), error.KeyPath);
    }

    [Fact]
    public void Empty_lists_are_lists()
    {
        var inventory = Inventory.Parse("sessions { a { type = ssh, host = h, identity-files = [] } }\ngroups { none = [] }");
        Assert.Empty(((SshSessionSpec)inventory.Sessions["a"]).IdentityFiles);
        Assert.Empty(inventory.Groups["none"]);
    }

    [Fact]
    public void A_valid_ssh_session_reads_every_key()
    {
        var spec = (SshSessionSpec)Inventory.Parse("""
            sessions { w {
              type = ssh, host = h, port = 2222, user = u, identity-files = ["k"], known-hosts = kh
              host-key-policy = accept-new, proxy-jump = "j@x:1", ssh-config = sc, connect-timeout = 3s
              keep-alive = 4s, max-channels = 5, max-connections = 2, kex-algorithms = [curve25519-sha256]
            } }
            """).Sessions["w"];
        Assert.Equal((2222, "u", "k", "kh", HostKeyPolicy.AcceptNew, "j@x:1", "sc", 3, 4, 5, 2, "curve25519-sha256"),
            (spec.Port, spec.User, spec.IdentityFiles[0], spec.KnownHostsFile, spec.HostKeyPolicy, spec.ProxyJump, spec.SshConfigFile,
             (int)spec.ConnectTimeout.TotalSeconds, (int)spec.KeepAlive.TotalSeconds, spec.MaxChannels, spec.MaxConnections, spec.KeyExchangeAlgorithms![0]));
    }

    [Theory]
    [InlineData("1e400")]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    [InlineData("NaN")]
    [InlineData("400d")]
    public void Durations_out_of_range_are_usage_errors(string text) =>
        Assert.Contains("--timeout", Assert.Throws<UsageException>(() => DurationText.Parse("--timeout", text)).Message);

    [Fact]
    public void Command_line_ssh_defaults_fill_in_what_targets_leave_unset()
    {
        var defaults = new SshDefaults { User = "deploy", ConnectTimeout = TimeSpan.FromSeconds(3), Passphrase = "secret", Password = "pw" };
        var adhoc = (SshSessionSpec)defaults.Apply(new SshSessionSpec("h"));
        var named = (SshSessionSpec)defaults.Apply(new SshSessionSpec("h") { User = "root", Passphrase = "own" });
        Assert.Equal(("deploy", 3.0, "secret", "pw"), (adhoc.User, adhoc.ConnectTimeout.TotalSeconds, adhoc.Passphrase, adhoc.Password));
        Assert.Equal(3.0, adhoc.ConnectBudget.TotalSeconds);
        Assert.Equal(("root", 3.0, "own"), (named.User, named.ConnectTimeout.TotalSeconds, named.Passphrase));
        Assert.DoesNotContain("secret", defaults.ToString());
        Assert.DoesNotContain("pw", defaults.ToString().Replace("Password", string.Empty));
    }
}
