using System.Reflection;
using Akka.Actor;
using Akka.Configuration;
using RControl.Readers;

namespace RControl.Configuration;

/// <summary>The engine's reference HOCON (<c>hocon/reference.conf</c>) and the settings read from it.</summary>
public static class RControlConfig
{
    private static readonly Lazy<Config> Reference = new(LoadReference);

    /// <summary>The reference configuration, the fallback of any user configuration.</summary>
    public static Config ReferenceConfig => Reference.Value;

    /// <summary>Parses user HOCON with the reference configuration as fallback; a syntax error names the problem.</summary>
    public static Config Parse(string hocon)
    {
        try
        {
            return ConfigurationFactory.ParseString(EnvironmentSubstitution.Apply(hocon)).WithFallback(ReferenceConfig);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new ConfigurationException($"bad HOCON: {e.Message}", e);
        }
    }

    /// <summary>Makes sure a (possibly host-provided) actor system sees the reference configuration.</summary>
    public static void EnsureReference(ActorSystem system)
    {
        if (!system.Settings.Config.HasPath("rcontrol.readers.window"))
        {
            system.Settings.InjectTopLevelFallback(ReferenceConfig);
        }
    }

    /// <summary>The line reader limits configured for an actor system.</summary>
    public static LineReaderSettings ReaderSettings(ActorSystem system)
    {
        var c = system.Settings.Config.GetConfig("rcontrol.readers");
        return new LineReaderSettings(
            c.GetInt("max-line-length"),
            c.GetInt("batch-max-chars"),
            c.GetInt("window"),
            c.GetInt("buffer-size"));
    }

    private static Config LoadReference()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("RControl.reference.conf")
            ?? throw new InvalidOperationException("reference.conf is not embedded");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }
}
