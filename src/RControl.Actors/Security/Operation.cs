namespace RControl.Security;

/// <summary>What a client identity may do on a session (granted in <c>rcontrol.clients</c>).</summary>
internal enum Operation
{
    /// <summary>Run commands (and kill its own).</summary>
    Exec,

    /// <summary>Stat, list, read files.</summary>
    FileRead,

    /// <summary>Create, write, rename, remove files and directories.</summary>
    FileWrite,

    /// <summary>Open and close sessions in the engine.</summary>
    Open,

    /// <summary>Kill other clients' tasks.</summary>
    Kill,

    /// <summary>Everything, on every session.</summary>
    Admin,
}

/// <summary>The names of <see cref="Operation"/>s in configuration and messages.</summary>
internal static class Operations
{
    private static readonly Dictionary<string, Operation> ByName = new(StringComparer.Ordinal)
    {
        ["exec"] = Operation.Exec,
        ["file-read"] = Operation.FileRead,
        ["file-write"] = Operation.FileWrite,
        ["open"] = Operation.Open,
        ["kill"] = Operation.Kill,
        ["admin"] = Operation.Admin,
    };

    /// <summary>The configuration name (<c>exec</c>, <c>file-read</c>, …).</summary>
    public static string Name(this Operation operation) => ByName.First(p => p.Value == operation).Key;

    /// <summary>Parses a configuration name; null when unknown.</summary>
    public static Operation? Parse(string name) => ByName.TryGetValue(name, out var operation) ? operation : null;

    /// <summary>Every configuration name, for error messages.</summary>
    public static string Known => string.Join(", ", ByName.Keys);
}
