// saddle/base/blas_kernel.hpp — running OpenBLAS's best kernel for the processor when it has fallen
// back to an older one.
//
// Debian's OpenBLAS 0.3.21 picks its kernel when it is loaded, from the processor's identity. On a
// processor it does not know (an Intel Xeon with AVX-512 of a later family, say) it falls back to
// Prescott, its SSE3 kernels: three to four times slower than the processor allows (README,
// "Behaviour worth knowing"). The kernel can only be chosen before the library loads, through
// OPENBLAS_CORETYPE, so a program that finds the fallback starts itself again (execv of
// /proc/self/exe, the same arguments) with OPENBLAS_CORETYPE set to the best kernel the processor
// can run: SkylakeX where it has AVX-512 (F, CD, BW, DQ, VL), Haswell where it has AVX2 and FMA.
// The new process checks the kernel on a small product against a plain triple loop; if they
// disagree it starts once more on the fallback, so a wrong choice costs speed, never results.
//
// Never overriding a choice: nothing happens when OPENBLAS_CORETYPE is set, when the kernel OpenBLAS
// chose is not the fallback, or with SADDLE_BLAS_KERNEL=keep (the opt-out).
#pragma once

#include <string>

namespace saddle {

// The kernel this processor could run better than the one loaded, or "" when there is none to
// gain or the user has chosen (the rules above).
std::string better_blas_kernel();

// Call first in main, before any BLAS product. May not return (it re-executes the program).
// Afterwards blas_info() (blas_info.hpp) says which kernel runs and who chose it.
void use_best_blas_kernel(char** argv);

// Who chose the kernel that runs: "OpenBLAS" (its own pick), "OPENBLAS_CORETYPE" (the user),
// "saddle" (use_best_blas_kernel), or "saddle (its choice failed the check)".
const char* blas_kernel_chooser();

}  // namespace saddle
