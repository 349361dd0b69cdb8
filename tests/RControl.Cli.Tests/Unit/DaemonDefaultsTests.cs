using RControl.Host.Daemon;

namespace RControl.Cli.Tests.Unit;

/// <summary>The daemon's documented defaults (docs/remote.md: 127.0.0.1, port 4053) as its config reader applies them.</summary>
public sealed class DaemonDefaultsTests
{
    [Fact]
    public void A_config_without_endpoint_keys_listens_on_127_0_0_1_port_4053()
    {
        var file = new FileInfo(Path.Combine(Path.GetTempPath(), $"rcontrol-defaults-{Guid.NewGuid():N}.conf"));
        File.WriteAllText(file.FullName, "rcontrol.sessions { local { type = local } }\n");
        try
        {
            var config = DaemonConfig.Read(file);
            Assert.Equal("127.0.0.1", config.GetString("akka.remote.dot-netty.tcp.hostname"));
            Assert.Equal(4053, config.GetInt("akka.remote.dot-netty.tcp.port"));
            Assert.Equal("akka.tcp://rcontrol@127.0.0.1:4053", StatusCommand.DefaultAddress);
        }
        finally
        {
            file.Delete();
        }
    }
}
