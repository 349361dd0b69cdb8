using Akka.Configuration;
using RControl.Host.Daemon;

namespace RControl.Cli.Tests.Unit;

/// <summary>The daemon refuses a bad <c>rcontrol.ssh.max-connects-in-flight</c> (value or key) in one line naming its file, line and key.</summary>
public sealed class DaemonConnectSlotsConfigTests
{
    [Theory]
    [InlineData("max-connects-in-flight = 0", "rcontrol.ssh.max-connects-in-flight: must be a whole number of at least 1, got '0'")]
    [InlineData("max-connect-in-flight = 8", "rcontrol.ssh: unknown key 'max-connect-in-flight' (did you mean 'max-connects-in-flight'?)")]
    public void A_bad_value_or_a_typo_is_refused_naming_file_line_and_key(string line, string expected)
    {
        var file = new FileInfo(Path.Combine(Path.GetTempPath(), $"rcontrol-slots-{Guid.NewGuid():N}.conf"));
        File.WriteAllText(file.FullName, $"rcontrol {{\n  ssh {{\n    {line}\n  }}\n}}\n");
        try
        {
            var error = Assert.ThrowsAny<ConfigurationException>(() => DaemonConfig.Read(file));

            Assert.StartsWith($"{file.FullName}:3: {expected}", error.Message);
            Assert.DoesNotContain('\n', error.Message);
        }
        finally
        {
            file.Delete();
        }
    }
}
