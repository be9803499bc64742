import type { ComfyServer } from '../loopback/comfyui/server.js';
import type { Random } from './random.js';

// What the soak's ComfyUI does wrong, through the loopback server's own fault modes: the workers see
// refused connections, lost prompts, execution errors, slow samplers and a handshake nobody answers.

export type ComfyFaultName = 'comfyRestart' | 'comfyDown' | 'comfyError' | 'comfyHang' | 'comfyHandshake';

export const COMFY_FAULT_WEIGHTS: Record<ComfyFaultName, number> = {
  comfyRestart: 2,
  comfyDown: 1,
  comfyError: 2,
  comfyHang: 1,
  comfyHandshake: 1,
};

/** Each sampler step this long in normal times: a render takes about half a second. */
export const STEP_DELAY_MS = 20;
/** A hung sampler: 25 steps take 15 s, past the soak's render timeout. */
const HUNG_STEP_DELAY_MS = 600;
/** Longer than a render job's five attempts with their back-off (1 + 2 + 4 + 8 s). */
const DOWN_MS = 20_000;

const EXECUTION_ERRORS = [
  'CUDA out of memory. Tried to allocate 2.00 GiB',
  "[Errno 2] No such file or directory: '/opt/ComfyUI/models/vae/missing.safetensors'",
  'Expected all tensors to be on the same device',
];

/**
 * Injects one ComfyUI fault at a time. A fault that lasts (down, a hang, a hung handshake) runs in the
 * background and ends by itself; another ComfyUI fault is not started meanwhile (it would end it early).
 */
export class SoakComfy {
  private lasting: Promise<void> | null = null;

  constructor(
    private readonly comfy: ComfyServer,
    private readonly random: Random,
  ) {}

  /** Whether a lasting fault is still on: the caller picks another kind of fault. */
  get busy(): boolean {
    return this.lasting !== null;
  }

  async inject(fault: ComfyFaultName): Promise<void> {
    const comfy = this.comfy;
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    switch (fault) {
      case 'comfyRestart':
        // Its queue, running prompt and history are forgotten: the workers submit their prompts again.
        await comfy.restart();
        return;
      case 'comfyError':
        for (let i = 1 + this.random.int(2); i > 0; i -= 1) comfy.failNextRun(this.random.pick(EXECUTION_ERRORS));
        return;
      case 'comfyDown':
        await comfy.down();
        this.last(async () => {
          await sleep(DOWN_MS + this.random.int(5_000));
          await comfy.up();
        });
        return;
      case 'comfyHang':
        comfy.stepDelayMs = HUNG_STEP_DELAY_MS;
        this.last(async () => {
          await sleep(8_000 + this.random.int(10_000));
          comfy.stepDelayMs = STEP_DELAY_MS;
        });
        return;
      case 'comfyHandshake':
        // The sockets drop (a blip, the queue kept) and every new handshake is left unanswered for a while.
        comfy.faults.hangWebSocketHandshake = true;
        await comfy.down();
        await comfy.up();
        this.last(async () => {
          await sleep(12_000 + this.random.int(10_000));
          comfy.faults.hangWebSocketHandshake = false;
        });
        return;
    }
  }

  /** Waits for a lasting fault to end: ComfyUI is up and well afterwards. */
  async settle(): Promise<void> {
    await this.lasting;
  }

  private last(run: () => Promise<void>): void {
    this.lasting = run().finally(() => {
      this.lasting = null;
    });
  }
}
