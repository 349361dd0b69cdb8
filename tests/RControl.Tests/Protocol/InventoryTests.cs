using Akka.Configuration;
using RControl.Configuration;
using RControl.Protocol;

namespace RControl.Tests.Protocol;

public sealed class InventoryTests
{
    [Fact]
    public void Parses_the_design_schema()
    {
        Environment.SetEnvironmentVariable("RC_TEST_WEB1_PASSWORD", "s3cret-pw");
        var inventory = Inventory.Parse("""
            sessions {
              builder { type = local }
              bastion { type = ssh, host = "bastion.example.com" }
              web1 {
                type = ssh
                host = "web1.example.com"
                port = 2222
                user = deploy
                identity-files = ["~/.ssh/id_ed25519"]
                password = ${?RC_TEST_WEB1_PASSWORD}
                known-hosts = "/tmp/kh"
                host-key-policy = accept-new
                proxy-jump = bastion
                connect-timeout = 5s
                keep-alive = 2s
                max-channels = 8
                max-connections = 3
              }
            }
            groups { web = [web1, bastion] }
            """);
        Assert.IsType<LocalSessionSpec>(inventory.Sessions["builder"]);
        var web1 = Assert.IsType<SshSessionSpec>(inventory.Sessions["web1"]);
        Assert.Equal("web1.example.com", web1.Host);
        Assert.Equal(2222, web1.Port);
        Assert.Equal("deploy", web1.User);
        Assert.Equal(["~/.ssh/id_ed25519"], web1.IdentityFiles);
        Assert.Equal("s3cret-pw", web1.Password);
        Assert.Equal(HostKeyPolicy.AcceptNew, web1.HostKeyPolicy);
        Assert.Equal("bastion", web1.ProxyJump);
        Assert.NotNull(web1.JumpHosts);
        Assert.Equal(TimeSpan.FromSeconds(5), web1.ConnectTimeout);
        Assert.Equal(TimeSpan.FromSeconds(2), web1.KeepAlive);
        Assert.Equal(8, web1.MaxChannels);
        Assert.Equal(3, web1.MaxConnections);
        Assert.Equal(["web1", "bastion"], inventory.Groups["web"]);
        Assert.Equal(["web1", "bastion"], inventory.Resolve("web"));
        Assert.Equal(["builder"], inventory.Resolve("builder"));
        Assert.DoesNotContain("s3cret-pw", web1.ToString());
    }

    [Fact]
    public void Optional_environment_reference_that_is_unset_leaves_the_key_out()
    {
        var inventory = Inventory.Parse("sessions {\n w { type = ssh\n host = h\n password = ${?RC_TEST_SURELY_UNSET_VAR}\n user = me\n }\n}");
        var w = Assert.IsType<SshSessionSpec>(inventory.Sessions["w"]);
        Assert.Null(w.Password);
        Assert.Equal("me", w.User);
    }

    [Theory]
    [InlineData("sessions { a { host = x } }", "session 'a': missing 'type'")]
    [InlineData("sessions { a { type = telnet } }", "session 'a': unknown type 'telnet'")]
    [InlineData("sessions { a { type = ssh } }", "session 'a': missing 'host'")]
    [InlineData("sessions { a { type = ssh, host = h, port = -1 } }", "session 'a': 'port' must be positive")]
    [InlineData("sessions { a { type = ssh, host = h, connect-timeout = 0s } }", "'connect-timeout' must be positive")]
    [InlineData("sessions { a { type = ssh, host = h, connect-timeout = soon } }", "'connect-timeout' is not a duration")]
    [InlineData("sessions { a { type = ssh, host = h, host-key-policy = yolo } }", "unknown host-key-policy 'yolo'")]
    [InlineData("sessions { a { type = local } }\ngroups { g = [a, b] }", "group 'g': unknown session(s) b")]
    [InlineData("sessions {\n a { type = local \n}", "HOCON syntax error: line 1: '{' is never closed")]
    [InlineData("sessions {\n a { type = local } }\n}", "HOCON syntax error: line 3: unexpected '}'")]
    [InlineData("sessions {\n a { type = \"local } }", "HOCON syntax error: line 2: unterminated string")]
    [InlineData("sessions { a { type = ssh, host = ${RC_TEST_SURELY_UNSET_VAR} } }", "RC_TEST_SURELY_UNSET_VAR")]
    public void Bad_input_names_the_problem(string hocon, string expected)
    {
        var error = Assert.ThrowsAny<ConfigurationException>(() => Inventory.Parse(hocon));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Unknown_name_lists_the_known_ones()
    {
        var inventory = Inventory.Parse("sessions { a { type = local } }");
        var error = Assert.Throws<UnknownSessionException>(() => inventory.Resolve("zz"));
        Assert.Contains("unknown session 'zz' (known: a)", error.Message);
    }
}
