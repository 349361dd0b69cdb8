namespace RControl.Host.Cli.Targets;

/// <summary>The file or folder name for a target (<c>-o/-e</c> files, gathered copies): its name, made harmless.</summary>
public static class TargetFileName
{
    /// <summary>The target's name with '/' and NUL replaced, and a leading '.' prefixed (never hidden, never '..').</summary>
    public static string For(string target)
    {
        var name = target.Replace('/', '_').Replace('\0', '_');
        return name.StartsWith('.') ? "_" + name : name;
    }
}
