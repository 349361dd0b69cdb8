using Akka.Configuration;
using Akka.Remote.Transport.DotNetty;
using RControl.Configuration;
using RControl.Remote;

namespace RControl.Host.Daemon;

/// <summary>The daemon's configuration: the user's file, then the daemon defaults, then the reference HOCON.</summary>
internal sealed record DaemonConfig(Config Config, Inventory Inventory, TimeSpan GracePeriod, DotNettySslSetup? Ssl)
{
    /// <summary>Defaults of a daemon, under the user's file: Akka.Remote on, port 4053, no CLR exit hook (the host stops Akka).</summary>
    private const string Defaults = """
        akka.actor.provider = remote
        akka.remote.dot-netty.tcp.port = 4053
        akka.coordinated-shutdown.run-by-clr-shutdown-hook = off
        """;

    /// <summary>Reads and checks the file; every problem throws a <see cref="ConfigurationException"/> naming it.</summary>
    public static DaemonConfig Load(FileInfo file)
    {
        if (!file.Exists)
        {
            throw new ConfigurationException($"config file '{file.FullName}' does not exist");
        }

        var user = RControlConfig.ParseUser(File.ReadAllText(file.FullName), file.FullName);

        var merged = user.WithFallback(ConfigurationFactory.ParseString(Defaults)).WithFallback(RControlConfig.ReferenceConfig);
        RemoteSecurity.Validate(merged);
        var full = RemoteSecurity.TransportOverrides(merged).WithFallback(merged);
        var inventory = Inventory.Parse(full.GetConfig("rcontrol"));
        var grace = Inventory.Duration("rcontrol.daemon", "shutdown-grace-period", full.GetConfig("rcontrol.daemon"));
        return new DaemonConfig(full, inventory, grace, RemoteSecurity.CreateSslSetup(full));
    }
}
