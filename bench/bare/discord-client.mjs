/* global process, console */
// Baseline for the bot's memory: a bare discord.js client with the same intent, logged in to the same
// Discord (the emulator), idling. Plain JavaScript, run with plain node like the compiled bot.
import { Client, Events, GatewayIntentBits } from 'discord.js';

const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: process.env.DISCORD_API_URL } });
client.once(Events.ClientReady, () => console.log('bare client ready'));
await client.login(process.env.DISCORD_TOKEN);
