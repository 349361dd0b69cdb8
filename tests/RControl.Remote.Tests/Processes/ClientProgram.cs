using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Configuration;
using RControl.Actors;
using RControl.Files;
using RControl.Protocol;
using RControl.Security;
using RControl.TestSupport;

namespace RControl.Remote.Tests.Processes;

/// <summary>
/// The test assembly as a program, for tests that need a client in another process (or as another Unix user):
/// <c>dotnet RControl.Remote.Tests.dll client ADDRESS CREDENTIAL COMMAND</c> runs one command through a real
/// <see cref="RemoteEngine"/> (<c>client-config ADDRESS HOCON-FILE COMMAND</c>: with that client config, e.g. TLS); <c>intrude-daemon ADDRESS MARKER</c> and <c>intrude-client ADDRESS</c> send raw protocol
/// messages, by every path they can think of, without a credential of the daemon's CA, and print every answer.
/// </summary>
public static class ClientProgram
{
    public static async Task<int> Main(string[] args)
    {
        switch (args.FirstOrDefault())
        {
            case "client" when args.Length == 4:
                return await RunClientAsync(args[1], TestCredentials.ForFile(args[2]), args[3]);
            case "client-config" when args.Length == 4:
                return await RunClientAsync(args[1], ConfigurationFactory.ParseString(await File.ReadAllTextAsync(args[2])), args[3]);
            case "intrude-daemon" when args.Length == 3:
                return await IntrudeAsync(args[1], DaemonAttempts(args[2]));
            case "intrude-client" when args.Length == 2:
                return await IntrudeAsync(args[1], ClientAttempts());
            default:
                await Console.Error.WriteLineAsync("usage: client ADDRESS CREDENTIAL COMMAND | client-config ADDRESS HOCON-FILE COMMAND | intrude-daemon ADDRESS MARKER | intrude-client ADDRESS");
                return 2;
        }
    }

    private static async Task<int> RunClientAsync(string address, Config config, string command)
    {
        await using var engine = await RemoteEngine.ConnectAsync(address, config);
        var session = await engine.GetSessionAsync("local");
        var task = session.Execute(command, new CommandOptions { ExpectedExitCode = null, OnStdout = (_, line) => Console.WriteLine(line) });
        Console.WriteLine($"started {task.Id}");
        var code = await task.WaitAsync();
        Console.WriteLine($"exit {code}");
        return 0;
    }

    /// <summary>What an intruder sends to a daemon: login without proof, the file service, wildcard selections to every actor.</summary>
    private static IEnumerable<(string Path, object Message)> DaemonAttempts(string marker)
    {
        yield return ("/user/rcontrol", new Login.Hello(null, ActorRefs.Nobody));
        yield return ("/user/rcontrol-files", new FileProtocol.ListDirectory("local", "/root"));
        foreach (var path in new[] { "/user/*", "/user/*/*", "/user/*/*/*" })
        {
            yield return (path, ListSessions.Instance);
            yield return (path, new GetSession("local"));
            yield return (path, new OpenSession("intruder", new LocalSessionSpec()));
            yield return (path, new ExecuteCommand("intruder-1", new CommandSpec($"touch {marker}")));
            yield return (path, new FileProtocol.OpenFile("local", "/etc/shadow", FileOpenMode.Read));
            yield return (path, new Identify("who"));
            for (var id = 1; id <= 20; id++)
            {
                yield return (path, new KillCommand(id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }

            yield return (path, new CloseSession("local"));
        }
    }

    /// <summary>What an intruder sends to a remote client's own system: forged output and completions for its tasks.</summary>
    private static IEnumerable<(string Path, object Message)> ClientAttempts()
    {
        foreach (var path in new[] { "/user/*", "/user/*/*", "/user/*/*/*" })
        {
            yield return (path, new Identify("who"));
            for (var id = 1; id <= 20; id++)
            {
                var taskId = id.ToString(System.Globalization.CultureInfo.InvariantCulture);
                yield return (path, new CommandOutput(taskId, OutputStream.Stdout, ["injected"]));
                yield return (path, new CommandCompleted(taskId, CommandEnd.Exited, 0, null));
            }
        }
    }

    private static async Task<int> IntrudeAsync(string address, IEnumerable<(string Path, object Message)> attempts)
    {
        var ssl = address.Replace("akka.tcp://", "akka.ssl.tcp://", StringComparison.Ordinal);
        var plain = ssl.Replace("akka.ssl.tcp://", "akka.tcp://", StringComparison.Ordinal);
        var answers = new ConcurrentQueue<string>();
        var list = attempts.ToList();
        using var forged = new TestCredentials(); // a CA of the intruder's own: its certificates look right but are not the daemon's
        var systems = new (ActorSystem System, string Target)[]
        {
            (RemoteEngine.CreateClientSystem(ConfigurationFactory.ParseString("rcontrol.remote.insecure-no-authentication = on"), "plain"), plain),
            (RemoteEngine.CreateClientSystem(forged.ClientConfig(), "forged"), ssl),
        };
        try
        {
            foreach (var (system, target) in systems)
            {
                var probe = system.ActorOf(Props.Create(() => new Probe(answers)), "probe");
                foreach (var (path, message) in list)
                {
                    system.ActorSelection(target + path).Tell(message, probe);
                }
            }

            await Task.Delay(TimeSpan.FromSeconds(8)); // an intruder waits for answers; none must come
        }
        finally
        {
            foreach (var (system, _) in systems)
            {
                await system.Terminate();
            }
        }

        Console.WriteLine($"sent {list.Count * systems.Length}, answers {answers.Count}");
        foreach (var answer in answers)
        {
            Console.WriteLine($"answer: {answer}");
        }

        return answers.IsEmpty ? 0 : 1;
    }

    private sealed class Probe : ReceiveActor
    {
        public Probe(ConcurrentQueue<string> answers) =>
            ReceiveAny(m =>
            {
                if (m is not ActorIdentity { Subject: null })
                {
                    answers.Enqueue($"{m} from {Sender.Path}");
                }
            });
    }
}
