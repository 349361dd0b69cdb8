using RControl.Configuration;
using RControl.Protocol;

namespace RControl.Remote.Tests;

public sealed class EnvironmentSubstitutionTests
{
    private static readonly Dictionary<string, string> Env = new() { ["WEB1_PASSWORD"] = "p\"a$s{w}\\ord", ["PORT_X"] = "2200" };

    [Fact]
    public void Secrets_come_from_the_environment_and_undefined_optional_ones_are_unset()
    {
        var text = HoconSource.SubstituteEnvironment(
            """
            base = 1
            sessions {
              web1 { type = ssh, host = h, password = ${?WEB1_PASSWORD}, port = ${PORT_X} }
              web2 { type = ssh, host = h, password = ${?NOT_DEFINED_ANYWHERE} }
            }
            copy = ${base}
            """,
            name => Env.GetValueOrDefault(name));
        var inventory = Inventory.Parse(Akka.Configuration.ConfigurationFactory.ParseString(text));
        var web1 = (SshSessionSpec)inventory.Sessions["web1"];
        Assert.Equal("p\"a$s{w}\\ord", web1.Password);
        Assert.Equal(2200, web1.Port);
        Assert.Null(((SshSessionSpec)inventory.Sessions["web2"]).Password);
        Assert.DoesNotContain("p\"a$s", web1.ToString());
        Assert.Contains("copy = ${base}", text);
    }

    [Fact]
    public void Rcontrol_config_parse_reads_the_process_environment()
    {
        var name = $"RCONTROL_TEST_{Guid.NewGuid():N}";
        Environment.SetEnvironmentVariable(name, "from-env");
        try
        {
            var config = RControlConfig.Parse($"x = ${{?{name}}}");
            Assert.Equal("from-env", config.GetString("x"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }
}
