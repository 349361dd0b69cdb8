using RControl.Actors;
using RControl.Protocol;
using W = RControl.Protocol.Wire;

namespace RControl.Serialization;

/// <summary>Maps the messages of running commands (<c>tasks.proto</c>) to and from their records.</summary>
internal static class TaskWire
{
    public static W.CommandSpec ToWire(CommandSpec spec)
    {
        var wire = new W.CommandSpec { Command = spec.Command, CombineStderr = spec.CombineStderr };
        if (spec.WorkingDirectory is { } directory)
        {
            wire.WorkingDirectory = directory;
        }

        if (spec.Timeout is { } timeout)
        {
            wire.TimeoutTicks = timeout.Ticks;
        }

        if (spec.OutputTimeout is { } outputTimeout)
        {
            wire.OutputTimeoutTicks = outputTimeout.Ticks;
        }

        if (spec.Environment is { } environment)
        {
            wire.Environment = new W.Environment();
            foreach (var (key, value) in environment)
            {
                wire.Environment.Variables[key] = value;
            }
        }

        return wire;
    }

    public static CommandSpec FromWire(W.CommandSpec? wire)
    {
        wire ??= new W.CommandSpec();
        return new CommandSpec(wire.Command)
        {
            CombineStderr = wire.CombineStderr,
            WorkingDirectory = wire.HasWorkingDirectory ? wire.WorkingDirectory : null,
            Timeout = wire.HasTimeoutTicks ? TimeSpan.FromTicks(wire.TimeoutTicks) : null,
            OutputTimeout = wire.HasOutputTimeoutTicks ? TimeSpan.FromTicks(wire.OutputTimeoutTicks) : null,
            Environment = wire.Environment is { } environment
                ? new Dictionary<string, string>(environment.Variables, StringComparer.Ordinal)
                : null,
        };
    }

    public static W.Execute ToWire(ExecuteCommand m) => new() { TaskId = m.TaskId, Spec = ToWire(m.Spec) };

    public static ExecuteCommand FromWire(W.Execute w) =>
        new(w.TaskId, FromWire(w.Spec ?? throw new System.Runtime.Serialization.SerializationException("the command spec is missing")));

    public static W.Kill ToWire(KillCommand m) => new() { TaskId = m.TaskId };

    public static KillCommand FromWire(W.Kill w) => new(w.TaskId);

    public static W.Output ToWire(CommandOutput m)
    {
        var wire = new W.Output { TaskId = m.TaskId, Stream = (W.OutputStream)m.Stream };
        wire.Lines.AddRange(m.Lines);
        return wire;
    }

    public static CommandOutput FromWire(W.Output w) =>
        new(w.TaskId, WireLimits.Enum<OutputStream>((int)w.Stream, "output stream"), w.Lines.ToArray());

    public static W.OutputAck ToWire(CommandOutputAck m) => new() { TaskId = m.TaskId, Stream = (W.OutputStream)m.Stream };

    public static CommandOutputAck FromWire(W.OutputAck w) =>
        new(w.TaskId, WireLimits.Enum<OutputStream>((int)w.Stream, "output stream"));

    public static W.Completed ToWire(CommandCompleted m)
    {
        var wire = new W.Completed { TaskId = m.TaskId, End = (W.CommandEnd)m.End };
        if (m.ExitCode is { } code)
        {
            wire.ExitCode = code;
        }

        if (m.Error is { } error)
        {
            wire.Error = error;
        }

        return wire;
    }

    public static CommandCompleted FromWire(W.Completed w) =>
        new(w.TaskId, WireLimits.Enum<CommandEnd>((int)w.End, "command end"), w.HasExitCode ? w.ExitCode : null, w.HasError ? w.Error : null);
}
