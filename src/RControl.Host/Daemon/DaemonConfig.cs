using Akka.Configuration;
using RControl.Configuration;
using RControl.Remote;
using RControl.Security;

namespace RControl.Host.Daemon;

/// <summary>
/// The daemon's configuration: the user's file, then the daemon defaults, then the reference HOCON; and its endpoint
/// security: the CA and certificates of its state directory (created on first start), the certificate of an explicit
/// <c>rcontrol.remote.tls</c> section, or — only when explicitly asked — none.
/// </summary>
internal sealed record DaemonConfig(Config Config, Inventory Inventory, TimeSpan GracePeriod, EndpointSecurity Security, DaemonState? State, Store.StoreConfig Store)
{
    /// <summary>Defaults of a daemon, under the user's file: Akka.Remote on, port 4053, no CLR exit hook (the host stops Akka).</summary>
    private const string Defaults = """
        akka.actor.provider = remote
        akka.remote.dot-netty.tcp.port = 4053
        akka.coordinated-shutdown.run-by-clr-shutdown-hook = off
        """;

    /// <summary>The grants of the credentials the daemon minted (null when TLS is configured explicitly).</summary>
    public MintedGrants? MintedGrants { get; init; }

    /// <summary>The address host and port from the config (for the per-user credential file).</summary>
    public (string Host, int Port) Endpoint =>
        (Config.GetString("akka.remote.dot-netty.tcp.public-hostname", "") is { Length: > 0 } h ? h : Config.GetString("akka.remote.dot-netty.tcp.hostname", "127.0.0.1"),
         Config.GetInt("akka.remote.dot-netty.tcp.port", 4053));

    /// <summary>Reads the user's file, layered over the daemon defaults and the reference HOCON (no state touched).</summary>
    public static Config Read(FileInfo file)
    {
        if (!file.Exists)
        {
            throw new ConfigurationException($"config file '{file.FullName}' does not exist");
        }

        var text = File.ReadAllText(file.FullName);
        var user = RControlConfig.ParseUser(text, file.FullName);
        Located(file, text, () => ReferenceKeys.Check(user));
        var merged = user.WithFallback(ConfigurationFactory.ParseString(Defaults)).WithFallback(RControlConfig.ReferenceConfig);
        Located(file, text, () => RControlSettings.FromConfig(merged)); // a value out of range, naming its key and line
        return merged;
    }

    /// <summary>Runs <paramref name="read"/> on a sub-tree: the path of a key problem gets <paramref name="prefix"/> in front.</summary>
    private static T Under<T>(string prefix, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (ConfigKeyException e)
        {
            throw e.Under(prefix);
        }
    }

    /// <summary>Runs <paramref name="read"/>; a problem with one key becomes <c>FILE:LINE: message</c> (the line when the key is written in the file itself).</summary>
    private static T Located<T>(FileInfo file, string text, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (ConfigKeyException e)
        {
            var line = HoconSource.LineOf(text, e.KeyPath) is { } n ? $":{n}" : "";
            throw new ConfigurationException($"{file.FullName}{line}: {e.Message}", e);
        }
    }

    private static void Located(FileInfo file, string text, Action read) => Located(file, text, () =>
    {
        read();
        return 0;
    });

    /// <summary>Reads and checks the file and prepares the state; every problem throws a <see cref="ConfigurationException"/> naming it.</summary>
    public static DaemonConfig Load(FileInfo file)
    {
        var merged = Read(file);
        RemoteSecurity.Validate(merged);
        DaemonState? state = null;
        EndpointSecurity security;
        if (RemoteSecurity.IsTlsEnabled(merged) || RemoteSecurity.IsInsecure(merged))
        {
            security = RemoteSecurity.FromConfig(merged);
        }
        else
        {
            state = DaemonState.LoadOrCreate(DaemonState.DirectoryOf(merged));
            security = EndpointSecurity.ForEngine(state.Server);
        }

        var full = RemoteSecurity.TransportOverrides(security).WithFallback(merged);
        var text = File.ReadAllText(file.FullName);
        var rcontrol = full.GetConfig("rcontrol");
        var inventory = Located(file, text, () => Under("rcontrol", () => Inventory.Parse(rcontrol)));
        full = DaemonCluster.Apply(full, inventory);
        _ = ClientGrants.Parse(full.GetConfig("rcontrol"), inventory.Groups); // bad grants fail the start, naming client and key
        var grace = Inventory.Duration("rcontrol.daemon", "shutdown-grace-period", full.GetConfig("rcontrol.daemon"));
        var store = Located(file, text, () => RControl.Host.Daemon.Store.StoreConfig.Parse(full));
        // Grants of minted credentials: under the user's file (which wins), over the defaults; read again when they change.
        var minted = state is null ? null : new MintedGrants(
            RControlConfig.ParseUser(text, file.FullName),
            ConfigurationFactory.ParseString(Defaults).WithFallback(RControlConfig.ReferenceConfig),
            state.ClientsFile,
            inventory.Groups);
        return new DaemonConfig(full, inventory, grace, security, state, store) { MintedGrants = minted };
    }

    /// <summary>The state directory (also when TLS is configured explicitly and no CA is kept there).</summary>
    public string StateDirectory => State?.Directory ?? DaemonState.DirectoryOf(Config);
}
