using Akka.Actor;
using Akka.Configuration;
using RControl.Readers;
using RControl.Transports.Ssh;

namespace RControl.Configuration;

/// <summary>
/// The engine's settings, read once per actor system from its config (<c>hocon/reference.conf</c> holds every default:
/// no default is repeated in code). Get them with <see cref="Get"/>.
/// </summary>
/// <param name="AskTimeout"><c>rcontrol.remote.ask-timeout</c>: how long a client, the gate or the file service waits for
/// an engine's answer (connect, find or open a session).</param>
/// <param name="FileIdleTimeout"><c>rcontrol.remote.file-idle-timeout</c>: remote file handles unused this long are closed.</param>
/// <param name="Readers"><c>rcontrol.readers</c>: the line readers' limits.</param>
/// <param name="LocateTimeout"><c>rcontrol.cluster.locate-timeout</c>: on a cluster node, how long a command waits for its
/// session to be placed.</param>
/// <param name="MaxConnectsInFlight"><c>rcontrol.ssh.max-connects-in-flight</c>: SSH connects (TCP, key exchange, login)
/// in progress at once in this engine; more wait for a slot.</param>
internal sealed record RControlSettings(TimeSpan AskTimeout, TimeSpan FileIdleTimeout, LineReaderSettings Readers, TimeSpan LocateTimeout, int MaxConnectsInFlight) : IExtension
{
    private const string MaxConnectsKey = "rcontrol.ssh.max-connects-in-flight";

    /// <summary>The engine's bound on SSH connects in progress, shared by all its sessions.</summary>
    public SshConnectSlots SshConnects { get; } = new(MaxConnectsInFlight);

    /// <summary>How long a session actor (and the engine's sessions at disposal) gets to stop and kill its commands.</summary>
    public static readonly TimeSpan SessionStopTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The settings of <paramref name="system"/>, read from its config on first use.</summary>
    public static RControlSettings Get(ActorSystem system) => system.WithExtension<RControlSettings, Provider>();

    /// <summary>Reads the settings from a config that has the reference config as fallback.</summary>
    /// <exception cref="ConfigKeyException">A value out of range, naming its key.</exception>
    public static RControlSettings FromConfig(Config config)
    {
        return new RControlSettings(
            config.GetTimeSpan("rcontrol.remote.ask-timeout"),
            config.GetTimeSpan("rcontrol.remote.file-idle-timeout"),
            new LineReaderSettings(
                PositiveInt(config, "rcontrol.readers.max-line-length"),
                PositiveInt(config, "rcontrol.readers.batch-max-chars"),
                PositiveInt(config, "rcontrol.readers.window"),
                PositiveInt(config, "rcontrol.readers.buffer-size")),
            config.GetTimeSpan("rcontrol.cluster.locate-timeout"),
            PositiveInt(config, MaxConnectsKey));
    }

    private static int PositiveInt(Config config, string key)
    {
        string text;
        try
        {
            text = config.GetString(key, "") ?? "";
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new ConfigKeyException(key.Split('.'), $"{key}: must be a whole number of at least 1 ({e.Message})", e);
        }

        if (!int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) || value < 1)
        {
            throw new ConfigKeyException(key.Split('.'), $"{key}: must be a whole number of at least 1, got '{text}'");
        }

        return value;
    }

    private sealed class Provider : ExtensionIdProvider<RControlSettings>
    {
        public override RControlSettings CreateExtension(ExtendedActorSystem system)
        {
            RControlConfig.EnsureReference(system);
            return FromConfig(system.Settings.Config);
        }
    }
}
