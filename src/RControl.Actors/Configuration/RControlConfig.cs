using System.Globalization;
using System.Text.RegularExpressions;
using System.Reflection;
using Akka.Actor;
using Akka.Configuration;
using RControl.Readers;

namespace RControl.Configuration;

/// <summary>The engine's reference HOCON (<c>hocon/reference.conf</c>) and the settings read from it.</summary>
internal static class RControlConfig
{
    private static readonly Lazy<Config> Reference = new(LoadReference);

    /// <summary>The reference configuration, the fallback of any user configuration.</summary>
    public static Config ReferenceConfig => Reference.Value;

    /// <summary>
    /// Parses user HOCON with the reference configuration as fallback. <c>${VAR}</c>/<c>${?VAR}</c> read
    /// environment variables; a syntax error throws a <see cref="ConfigurationException"/> naming the line.
    /// </summary>
    /// <param name="hocon">The HOCON text.</param>
    /// <param name="source">A file name for error messages.</param>
    public static Config Parse(string hocon, string? source = null) => ParseUser(hocon, source).WithFallback(ReferenceConfig);

    /// <summary>As <see cref="Parse"/>, without the reference fallback (for callers that layer their own defaults first).</summary>
    public static Config ParseUser(string hocon, string? source = null)
    {
        var prepared = HoconSource.Prepare(hocon, source);
        try
        {
            return ConfigurationFactory.ParseString(prepared, name => Include(name, source));
        }
        catch (Exception e) when (e is not OutOfMemoryException and not ConfigurationException)
        {
            var position = Regex.Match(e.Message, @"position (\d+)");
            var line = position.Success ? $"line {HoconSource.LineAt(prepared, int.Parse(position.Groups[1].Value, CultureInfo.InvariantCulture))}: " : "";
            var message = Regex.Replace(e.Message.Split('\n')[0], @" at position \d+", "").TrimEnd(':', ' ');
            throw new ConfigurationException($"{HoconSource.Where(source)}{line}{message}", e);
        }
    }

    /// <summary>Reads and parses a HOCON file (see <see cref="Parse(string, string?)"/>); a missing file is a clear error.</summary>
    public static Config ParseFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new ConfigurationException($"config file '{path}' does not exist");
        }

        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>
    /// Reads an <c>include "file"</c>: relative to the including file (or the current directory), with the same
    /// environment substitution and checks; a missing file is a <see cref="ConfigurationException"/> naming both.
    /// </summary>
    private static Akka.Configuration.Hocon.HoconRoot Include(string name, string? source)
    {
        var file = name.Trim().Trim('"');
        foreach (var wrapper in new[] { "file(", "classpath(", "url(", "required(" })
        {
            if (file.StartsWith(wrapper, StringComparison.Ordinal) && file.EndsWith(')'))
            {
                file = file[wrapper.Length..^1].Trim().Trim('"');
            }
        }

        var directory = source is null ? Directory.GetCurrentDirectory() : Path.GetDirectoryName(Path.GetFullPath(source)) ?? ".";
        var path = Path.IsPathRooted(file) ? file : Path.Combine(directory, file);
        if (!File.Exists(path))
        {
            throw new ConfigurationException($"{source ?? "HOCON"}: include \"{file}\": file not found ({path})");
        }

        var text = HoconSource.Prepare(File.ReadAllText(path), path);
        return Akka.Configuration.Hocon.Parser.Parse(text, next => Include(next, path));
    }

    /// <summary>Makes sure a (possibly host-provided) actor system sees the reference configuration.</summary>
    public static void EnsureReference(ActorSystem system)
    {
        if (!system.Settings.Config.HasPath("rcontrol.readers.window"))
        {
            system.Settings.InjectTopLevelFallback(ReferenceConfig);
        }
    }

    private static Config LoadReference()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("RControl.reference.conf")
            ?? throw new InvalidOperationException("reference.conf is not embedded");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }
}
