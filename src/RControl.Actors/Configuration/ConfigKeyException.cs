using Akka.Configuration;

namespace RControl.Configuration;

/// <summary>
/// A configuration problem tied to one key (an unknown key, a value of the wrong type). <see cref="KeyPath"/> is the
/// key's path from the config that was read, so a caller holding the text can name the line (<see cref="HoconSource.LineOf"/>).
/// </summary>
public sealed class ConfigKeyException : ConfigurationException
{
    public ConfigKeyException(IReadOnlyList<string> keyPath, string message, Exception? inner = null)
        : base(message, inner)
    {
        KeyPath = keyPath;
    }

    /// <summary>The path of the key, e.g. <c>["sessions", "web1", "prot"]</c>.</summary>
    public IReadOnlyList<string> KeyPath { get; }

    /// <summary>The same problem with <paramref name="prefix"/> in front of the path (when the config read was a sub-tree).</summary>
    public ConfigKeyException Under(params string[] prefix) => new([.. prefix, .. KeyPath], Message, this);
}
